"""Moving a processed remote file out of the inbox: to ``done/``, or ``failed/`` with a reason.

Called only once the file's outcome is durable (its events confirmed, its dead letters stored),
never before. A file that changed since it was read (same name, new upload) stays where it is:
it is a new file, for the next poll. An earlier file of the same name in the target folder is
never overwritten; the newcomer gets its mtime as a prefix.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import RemoteFileChanged
from connectors.sftp.session import RemoteFile, SftpSession

__all__ = ["drop_spool", "settle_remote", "spool_path"]

log = logging.getLogger(__name__)


def spool_path(spool_dir: Path, remote: RemoteFile) -> Path:
    """Where ``remote`` is downloaded: one folder per version (mtime, size), the file's own name.

    The name is kept because the hub's file pipeline names documents by it.
    """
    return spool_dir / f"{remote.mtime}-{remote.size}" / remote.name


def drop_spool(path: Path) -> None:
    """Delete a spooled download and its version folder."""
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: another download of the version is there
        path.parent.rmdir()


def settle_remote(
    session: SftpSession,
    config: SftpConfig,
    remote: RemoteFile,
    *,
    failed: bool = False,
    reason: str = "",
) -> str | None:
    """Move ``remote`` (and its marker) to done/ or failed/; return where it went, or None.

    None: the file is gone or was replaced since it was read (nothing to move).
    """
    folder = config.remote_path(config.failed_dir if failed else config.done_dir)
    try:
        now = session.stat(remote.path)
    except RemoteFileChanged:  # gone already (an earlier settle, or an operator)
        return None
    if (now.size, now.mtime) != (remote.size, remote.mtime):
        return None
    session.make_dirs(folder)
    target = f"{folder}/{remote.name}"
    if session.exists(target):
        target = f"{folder}/{remote.mtime}-{remote.name}"
    session.rename(remote.path, target)
    if failed:
        with session.open_file(target + ".reason", "wb") as fh:
            fh.write(reason.encode() + b"\n")
    marker = remote.path + config.marker_suffix
    if config.read_lock == "marker" and session.exists(marker):
        session.rename(marker, target + config.marker_suffix)
    log.info("settled %s → %s", remote.path, target)
    return target
