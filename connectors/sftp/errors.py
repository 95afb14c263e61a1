"""Errors of the SFTP transport, split by who can fix them.

::

    ConnectorError
    ├── TransientConnectorError
    │   └── SftpUnavailable           refused, dropped or timed-out connection: reconnect later
    │       └── RemoteFileChanged     the file changed while it was read: read it again later
    └── SftpRefused                   the server or its identity is wrong: retrying cannot help
        ├── HostKeyRejected           unknown or mismatching host key (possible impostor)
        └── SftpAuthFailed            the server refused the credentials

The hub's retry table maps these; the transport itself never loops.
"""

from __future__ import annotations

from connectors.errors import ConnectorError, TransientConnectorError

__all__ = [
    "HostKeyRejected",
    "RemoteFileChanged",
    "SftpAuthFailed",
    "SftpRefused",
    "SftpUnavailable",
]


class SftpUnavailable(TransientConnectorError, ConnectionError):
    """The SFTP server could not be reached, or the connection broke; the call may work later."""


class RemoteFileChanged(SftpUnavailable):
    """A remote file's size or mtime changed while it was being read."""


class SftpRefused(ConnectorError):
    """The SFTP peer cannot be used as configured; an operator must change the config."""


class HostKeyRejected(SftpRefused):
    """The server's host key is not in known_hosts, or differs from the key recorded there."""


class SftpAuthFailed(SftpRefused, PermissionError):
    """The server refused the username with the configured password or key."""
