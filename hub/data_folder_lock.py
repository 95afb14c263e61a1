"""One hub per embedded data folder: a lock file in the folder, held while the hub runs.

Two hubs on one embedded folder would both read the inbox and publish every event twice, and
fight over moving files (the embedded bus and database have no leases to share). The lock is
an ``fcntl.flock`` on ``<data folder>/hub.lock``: the kernel frees it when its holder exits,
killed or not, so a dead hub never blocks the next one; the file says who holds it (pid,
host, since), for the message the second hub prints. Hubs on RabbitMQ + PostgreSQL share an
inbox by claiming files in the database instead, and take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from hub.errors import ConfigError, DataFolderBusy

__all__ = ["LOCK_NAME", "DataFolderLock"]

LOCK_NAME = "hub.lock"


class DataFolderLock:
    """Held from :meth:`acquire` to :meth:`release` (or the process's end)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`DataFolderBusy` naming its holder.

        An unwritable or missing folder is a :class:`ConfigError` naming it.
        """
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ConfigError(
                f"data folder {self.path.parent}: cannot write there: {exc.strerror or exc}"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise DataFolderBusy(
                f"data folder {self.path.parent} is in use by another hub ({holder}): one hub "
                "per embedded data folder; stop that one, give this one its own --data-dir, or "
                "run several hubs on RabbitMQ + PostgreSQL"
            ) from exc
        since = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {since}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the next hub have the folder (closing the file frees the lock)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataFolderLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
