"""Errors of the SFTP transport, split by who can fix them.

::

    ConnectorError
    ├── TransientConnectorError
    │   └── SftpUnavailable           refused, dropped or timed-out connection: reconnect later
    │       └── RemoteFileChanged     the file changed while it was read: read it again later
    └── PermanentConnectorError
        └── SftpRefused               the server or its identity is wrong: retrying cannot help
            ├── HostKeyRejected       unknown or mismatching host key (possible impostor)
            ├── SftpFolderMissing     the configured remote folder does not exist
            ├── SftpNotServed         logged in, but the server starts no SFTP for this account
            ├── SettleRefused         the server refused to move or delete a processed file
            ├── RemoteFileUnreadable  the server refuses to open one listed file (a permission)
            ├── PrivateKeyUnusable    the configured key cannot be loaded (also the SDK's
            │                         ConnectorConfigError)
            └── SftpAuthFailed        the server refused the credentials (also the SDK's
                                      AuthenticationFailed)

The decision table maps these (:data:`SFTP_ERROR_ROWS`, added by the SFTP connectors): a
transient class is retried with backoff, a refusal fails the connector (a config problem: an
operator must fix known_hosts or the credentials). The transport itself never loops.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.errors import TransientConnectorError
from connectors.sdk.decisions import Action, Decision, FailureType, RowKey
from connectors.sdk.errors import (
    AuthenticationFailed,
    ConnectorConfigError,
    PermanentConnectorError,
)

__all__ = [
    "SFTP_ERROR_ROWS",
    "HostKeyRejected",
    "PrivateKeyUnusable",
    "RemoteFileChanged",
    "RemoteFileUnreadable",
    "SettleRefused",
    "SftpAuthFailed",
    "SftpFolderMissing",
    "SftpNotServed",
    "SftpRefused",
    "SftpUnavailable",
]


class SftpUnavailable(TransientConnectorError, ConnectionError):
    """The SFTP server could not be reached, or the connection broke; the call may work later."""


class RemoteFileChanged(SftpUnavailable):
    """A remote file's size or mtime changed while it was being read."""


class SftpRefused(PermanentConnectorError):
    """The SFTP peer cannot be used as configured; an operator must change the config."""


class HostKeyRejected(SftpRefused):
    """The server's host key is not in known_hosts, or differs from the key recorded there."""


class SftpFolderMissing(SftpRefused):
    """The configured remote folder does not exist (or is not visible to this user)."""


class SftpNotServed(SftpRefused):
    """The server accepted the login but runs no SFTP for the account: no ``sftp`` subsystem,
    or a shell or ``ForceCommand`` that answers with text instead of the SFTP protocol."""


class SettleRefused(SftpRefused):
    """The server refused to move or delete a file whose outcome is durable (a permission).

    The source records it in its state and leaves the file where it is; the other files of the
    folder go on (a partner's read-only ``done/`` must not stop every later file).
    """

    def __init__(self, path: str, action: str, reason: str, target: str | None = None) -> None:
        self.path = path
        self.action = action
        self.target = target
        self.reason = reason
        to = f" to {target}" if target else ""
        super().__init__(f"cannot {action} {path}{to}: {reason}; left in place")


class RemoteFileUnreadable(SftpRefused):
    """The server lists a file but refuses to open it for this account (a permission).

    The source logs it and goes on with the other files; the file is not remembered, so it is
    read once the partner makes it readable.
    """

    def __init__(self, where: str, path: str, reason: str) -> None:
        self.where = where
        self.path = path
        self.reason = reason
        super().__init__(f"{where}: cannot read {path}: {reason}; left in place, tried again")


class PrivateKeyUnusable(SftpRefused, ConnectorConfigError):
    """The configured private key is missing, unreadable, not a key, or not decrypted."""

    def __init__(self, problem: str) -> None:
        super().__init__("sftp", [problem])


class SftpAuthFailed(SftpRefused, AuthenticationFailed):
    """The server refused the username with the configured password or key."""


#: rows the SFTP connectors add to the decision table
SFTP_ERROR_ROWS: Mapping[RowKey, Decision] = {
    SftpUnavailable: Decision(Action.RETRY, FailureType.TRANSIENT),
    # a host key problem is a configuration problem, never a dead letter per file
    SftpRefused: Decision(Action.FAIL, FailureType.CONFIG),
}
