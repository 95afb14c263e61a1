"""A remote SFTP folder as an inbox of whole files, for the hub's file source (CSV's bulk path).

:class:`~connectors.sftp.source.SftpSource` reads rows itself (the SDK's record path). A very
large file is better translated by the hub's file source (chunks, worker processes, batch
messages); :class:`SftpInbox` gives that pipeline what :class:`hub.inbox.Inbox` gives it for a
local folder, with the same two-step contract:

1. :meth:`ready` lists complete files (the read lock) and :meth:`fetch` streams one into the
   local spool (bounded memory, resumed after a drop; call it under the hub's ``retrying``);
2. the caller processes the spooled file; once the outcome is durable it calls :meth:`settle`,
   which moves the remote file to ``done/`` or ``failed/`` (or deletes it, or leaves it, as
   ``post_process`` says) and deletes the spool.

Idempotency: the pipeline keys a document by name, size and sha256 and stores its checkpoint,
so a crash between processing and settling (the file is fetched and processed again), or the
partner sending the same file twice, publishes nothing twice.
"""

from __future__ import annotations

from pathlib import Path

from connectors.sftp.config import SftpConfig
from connectors.sftp.download import Fetched, Transfer
from connectors.sftp.errors import SettleRefused
from connectors.sftp.readlock import ReadLock, Watch, candidates, lock_for
from connectors.sftp.session import RemoteFile, SftpSession
from connectors.sftp.settle import drop_spool, settle_remote, spool_path

__all__ = ["SftpInbox"]


class SftpInbox:
    """Complete files of one remote folder, fetched into ``spool_dir``; use as a context manager."""

    def __init__(self, config: SftpConfig, spool_dir: Path) -> None:
        self.config = config
        self.spool_dir = spool_dir
        self.lock: ReadLock = lock_for(config)
        #: the read lock's memory: this inbox is one long-lived object, so it is kept here
        self._watch: Watch = {}
        #: files settled in place (``leave``, or a refused move): not offered again
        self._left: set[RemoteFile] = set()
        self._session: SftpSession | None = None
        self._transfers: dict[RemoteFile, Transfer] = {}

    def session(self) -> SftpSession:
        """The open connection; a new one after :meth:`close` or a broken one."""
        if self._session is None:
            self._session = SftpSession(self.config).open()
        return self._session

    def close(self) -> None:
        """Close the connection (spooled files stay for the next fetch)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> SftpInbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ready(self) -> list[RemoteFile]:
        """Files that may be read now, oldest first."""
        cfg = self.config
        try:
            listing = self.session().list_files(cfg.remote_dir)
        except BaseException:
            self.close()
            raise
        ready, self._watch = self.lock.ready(candidates(listing, cfg), listing, self._watch)
        return sorted((f for f in ready if f not in self._left), key=lambda f: (f.mtime, f.path))

    def fetch(self, remote: RemoteFile) -> Fetched:
        """Stream ``remote`` into the spool; a retry continues where a broken attempt stopped."""
        transfer = self._transfers.get(remote)
        if transfer is None:
            transfer = Transfer(
                remote,
                spool_path(self.spool_dir, remote),
                prefetch_requests=self.config.prefetch_requests,
            )
            self._transfers[remote] = transfer
        try:
            return transfer.attempt(self.session())
        except BaseException:
            self.close()  # the next attempt reconnects
            raise

    def settle(self, fetched: Fetched, *, failed: bool = False, reason: str = "") -> str | None:
        """After a durable outcome: settle the remote file (``post_process``), drop the spool.

        Returns where the file was moved, or None (deleted, left, or gone). Raises
        :class:`~connectors.sftp.errors.SettleRefused` when the server refuses the move or the
        delete: the spool is dropped all the same, the outcome being durable.
        """
        try:
            settled = settle_remote(
                self.session(), self.config, fetched.remote, failed=failed, reason=reason
            )
        except SettleRefused:
            self._forget(fetched, left=True)
            raise
        except BaseException:
            self.close()
            raise
        self._forget(fetched, left=settled.action == "left")
        return settled.target

    def _forget(self, fetched: Fetched, *, left: bool) -> None:
        if left:
            self._left.add(fetched.remote)
        self._transfers.pop(fetched.remote, None)
        drop_spool(fetched.path)
