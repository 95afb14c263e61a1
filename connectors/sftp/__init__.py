"""SFTP transport (paramiko) and the SFTP source and sink built on the connector SDK.

Modules: ``config`` (:class:`SftpConfig`), ``session`` (one connection, host keys checked
against known_hosts only), ``keys`` (the private key, or a config error naming it),
``readlock`` (stable size, marker file), ``download`` (streaming, resumable transfer into a
spool), ``source`` (:class:`SftpSource`: rows through the SDK), ``inbox`` (:class:`SftpInbox`:
whole files for the hub's file source), ``settle`` (to done/ or failed/, deleted, or
left in place), ``sink`` (:class:`SftpSink`), ``outage`` (retrying for a time, not a count),
``errors``; ``testing`` (an asyncssh server) and ``openssh`` (OpenSSH's sshd, chrooted) are
real servers for tests and benchmarks only.
"""

from connectors.sftp.config import SftpConfig
from connectors.sftp.download import Fetched, Transfer
from connectors.sftp.errors import (
    SFTP_ERROR_ROWS,
    HostKeyRejected,
    PrivateKeyUnusable,
    RemoteFileChanged,
    RemoteFileUnreadable,
    SettleRefused,
    SftpAuthFailed,
    SftpFolderMissing,
    SftpNotServed,
    SftpRefused,
    SftpUnavailable,
)
from connectors.sftp.inbox import SftpInbox
from connectors.sftp.readlock import MarkerFile, ReadLock, StableSize, Watch
from connectors.sftp.session import RemoteFile, SftpSession
from connectors.sftp.settle import Settled, drop_spool, settle_remote, spool_path
from connectors.sftp.sink import SftpSink, SftpSinkConfig
from connectors.sftp.source import SftpSource, SftpSourceConfig

__all__ = [
    "SFTP_ERROR_ROWS",
    "Fetched",
    "HostKeyRejected",
    "MarkerFile",
    "PrivateKeyUnusable",
    "ReadLock",
    "RemoteFile",
    "RemoteFileChanged",
    "RemoteFileUnreadable",
    "SettleRefused",
    "Settled",
    "SftpAuthFailed",
    "SftpConfig",
    "SftpFolderMissing",
    "SftpInbox",
    "SftpNotServed",
    "SftpRefused",
    "SftpSession",
    "SftpSink",
    "SftpSinkConfig",
    "SftpSource",
    "SftpSourceConfig",
    "SftpUnavailable",
    "StableSize",
    "Transfer",
    "Watch",
    "drop_spool",
    "settle_remote",
    "spool_path",
]
