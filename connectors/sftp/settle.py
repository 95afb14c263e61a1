"""After a file's outcome is durable: move it to ``done/`` (or ``failed/`` with a reason),
delete it, or leave it in place, as ``post_process`` says.

Called only once the file's outcome is durable (its events confirmed, its dead letters stored),
never before. A file that changed since it was read (same name, new upload) stays where it is:
it is a new file, for the next poll. An earlier file of the same name in the target folder is
never overwritten; the newcomer gets its mtime as a prefix.

A server that refuses the move or the delete (a partner's read-only ``done/``, a drop where
this account may only read) raises :class:`~connectors.sftp.errors.SettleRefused` naming the
file, what was refused and why; the caller records it and goes on with the other files.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import RemoteFileChanged, SettleRefused
from connectors.sftp.session import RemoteFile, SftpSession

__all__ = ["Settled", "drop_spool", "settle_remote", "spool_path"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settled:
    """What settling did with a file: moved (to ``target``), deleted, left, or nothing (gone)."""

    action: Literal["moved", "deleted", "left", "gone"]
    target: str | None = None


def spool_path(spool_dir: Path, remote: RemoteFile) -> Path:
    """Where ``remote`` is downloaded: one folder per version (mtime, size), the file's own name.

    The name is kept because the hub's file source names documents by it.
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
) -> Settled:
    """Move, delete or leave ``remote`` (and its marker) as ``config.post_process`` says.

    ``gone``: the file is gone or was replaced since it was read (nothing to do). A refused
    file is moved to failed/ in ``delete`` mode too: its dead letter keeps only its head.
    """
    mode = config.post_process
    if mode == "leave":
        return Settled("left")
    try:
        now = session.stat(remote.path)
    except RemoteFileChanged:  # gone already (an earlier settle, or an operator)
        return Settled("gone")
    if (now.size, now.mtime) != (remote.size, remote.mtime):
        return Settled("gone")
    marker = remote.path + config.marker_suffix
    has_marker = config.read_lock == "marker" and session.exists(marker)
    if mode == "delete" and not failed:
        try:
            session.remove(remote.path)
        except PermissionError as exc:
            raise SettleRefused(remote.path, "delete", _why(exc)) from exc
        if has_marker:
            _follow(f"delete {marker}", lambda: session.remove(marker))
        log.info("settled %s: deleted", remote.path)
        return Settled("deleted")
    folder = config.remote_path(config.failed_dir if failed else config.done_dir)
    target = f"{folder}/{remote.name}"
    try:
        session.make_dirs(folder)
        if session.exists(target):
            target = f"{folder}/{remote.mtime}-{remote.name}"
        session.rename(remote.path, target)
    except PermissionError as exc:
        raise SettleRefused(remote.path, "move", _why(exc), target) from exc
    if failed:
        note = target + ".reason"
        _follow(f"write {note}", lambda: _write_reason(session, note, reason))
    if has_marker:
        moved = target + config.marker_suffix
        _follow(f"move {marker} to {moved}", lambda: session.rename(marker, moved))
    log.info("settled %s → %s", remote.path, target)
    return Settled("moved", target)


def _why(exc: OSError) -> str:
    return f"{exc.strerror or exc} (errno {exc.errno})" if exc.errno else str(exc)


def _write_reason(session: SftpSession, path: str, reason: str) -> None:
    with session.open_file(path, "wb") as fh:
        fh.write(reason.encode() + b"\n")


def _follow(what: str, step: Callable[[], object]) -> None:
    """A step after the file itself was settled (marker, reason): refused, it is only logged."""
    try:
        step()
    except PermissionError as exc:
        log.warning("settled, but could not %s: %s", what, _why(exc))
