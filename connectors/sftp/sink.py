"""The SFTP sink: canonical events written as a JSON Lines file, appearing atomically.

A batch is uploaded under a temporary name (``NAME.part``, which a partner's glob does not
match) and renamed to its final name only once complete, with OpenSSH's posix-rename (atomic,
replacing). The name derives from the events' ids, so a retried write of the same batch lands
on the same file instead of adding a second copy.

Speed: one SSH connection serves every batch of a push (``crossdock connector push`` keeps the
sink open; a broken connection is closed, and the retry opens a new one), and the upload is
pipelined (:meth:`~connectors.sftp.session.SftpSession.upload`): waiting for the answer to
each 32 KiB write made a 66 MB batch take a minute on loopback. The events are serialised
(orjson) on a thread of their own while the upload sends what is ready.

A ``.part`` whose batch never comes back (its push gave up, or died) would stay forever: once
per ``stale_part_age`` the sink deletes this sink's own ``.part`` files older than that, by the
server's clock (the mtime of the upload it just made), never another writer's files.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import orjson
from pydantic import Field

from connectors.errors import RecordError
from connectors.sdk import (
    SDK_TABLE,
    Decision,
    Event,
    RetryPolicy,
    RetryTable,
    RowKey,
    Sink,
    WriteReport,
)
from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import SFTP_ERROR_ROWS, RemoteFileChanged
from connectors.sftp.outage import outage_policy
from connectors.sftp.session import RemoteFile, SftpSession

__all__ = ["SftpSink", "SftpSinkConfig", "batch_name"]

log = logging.getLogger(__name__)

#: events serialised per task of the serialising thread (~400 KB of JSON for a typical event)
_EVENTS_PER_PART = 1000


class SftpSinkConfig(SftpConfig):
    """An SFTP folder receiving canonical events as JSON Lines files."""

    pattern: str = "*.jsonl"
    file_prefix: str = Field("events-", description="start of every uploaded file's name")
    max_event_bytes: int = Field(
        1 << 20, ge=1, description="an event larger than this once serialised is refused"
    )
    stale_part_age: float = Field(
        3600.0,
        ge=0,
        description=(
            "seconds (server clock) after which an upload's temporary file of this sink "
            "(file_prefix*.jsonl + upload_suffix) is a batch that will not come back: it is "
            "deleted; 0 keeps them"
        ),
    )


def batch_name(prefix: str, ids: Sequence[str]) -> str:
    """The file name of a batch: the same ids always give the same name."""
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:20]
    return f"{prefix}{digest}.jsonl"


class SftpSink(Sink[SftpSinkConfig]):
    """Uploads each batch of events as one JSON Lines file (temporary name, then rename)."""

    name: ClassVar[str] = "sftp-out"
    config_model: ClassVar[type[SftpSinkConfig]] = SftpSinkConfig
    error_rows: ClassVar[Mapping[RowKey, Decision]] = SFTP_ERROR_ROWS

    def __init__(self, config: SftpSinkConfig) -> None:
        super().__init__(config)
        self._session: SftpSession | None = None
        #: monotonic time of the next look for stale uploads (the first batch looks)
        self._next_sweep = 0.0

    def policy(self, base: RetryTable = SDK_TABLE) -> RetryPolicy:
        """Retries that ride through a server outage of ``ride_through`` seconds."""
        return outage_policy(self.config, self.decision_table(base))

    def probe(self) -> str:
        """Connect, authenticate and look at the target folder."""
        cfg = self.config
        with SftpSession(cfg) as session:
            session.list_files(cfg.remote_dir)
        return f"sftp://{cfg.username}@{cfg.host}:{cfg.port}{cfg.remote_dir}"

    def session(self) -> SftpSession:
        """The connection every batch goes through; a new one after a failure."""
        if self._session is None:
            session = SftpSession(self.config).open()
            try:
                session.require_folder(self.config.remote_dir)
            except BaseException:
                session.close()
                raise
            self._session = session
        return self._session

    def close(self) -> None:
        """Close the connection (at the end of a push, or after a failed batch)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def write(self, events: Sequence[Event]) -> WriteReport:
        """Upload ``events`` as one file; refuse (for good) an event that cannot be serialised."""
        if not events:
            return WriteReport()
        cfg = self.config
        # named by every id of the batch (refused ones too): a retry of it lands on this file
        final = cfg.remote_path(batch_name(cfg.file_prefix, [str(e.get("id", "")) for e in events]))
        report = WriteReport()
        # events are serialised on a thread of their own while the upload sends what is ready:
        # serialising first, then uploading, made a batch ~1.4x as long as the upload alone
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sftp-serialise") as pool:
            parts = [
                pool.submit(self._serialise, events[i : i + _EVENTS_PER_PART])
                for i in range(0, len(events), _EVENTS_PER_PART)
            ]

            def serialised() -> Iterator[bytes]:
                for part in parts:
                    data, ids, rejected = part.result()
                    report.written.extend(ids)
                    report.rejected.extend(rejected)
                    yield data

            try:
                self._upload(serialised(), final)
            except BaseException:
                for part in parts:
                    part.cancel()
                self.close()  # the retry reconnects rather than reuse a broken connection
                raise
        return report

    def _serialise(self, events: Sequence[Event]) -> tuple[bytes, list[str], list[RecordError]]:
        """JSON Lines of ``events``: (bytes, ids written, events refused)."""
        lines: list[bytes] = []
        ids: list[str] = []
        rejected: list[RecordError] = []
        limit = self.config.max_event_bytes
        for event in events:
            event_id = str(event.get("id", ""))
            try:
                # orjson: ~12x the standard library's speed here; keys in the order they came
                # in, so the same events give the same bytes
                line = orjson.dumps(event)
            except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
                rejected.append(RecordError(event_id, f"not serialisable: {exc}"))
                continue
            if not event_id or len(line) > limit:
                why = "no id" if not event_id else f"{len(line)} bytes, over max_event_bytes"
                rejected.append(RecordError(event_id or "(no id)", why, raw=line))
                continue
            lines.append(line)
            ids.append(event_id)
        lines.append(b"")  # every line ends with a newline
        return b"\n".join(lines) if ids else b"", ids, rejected

    def _upload(self, chunks: Iterator[bytes], final: str) -> None:
        cfg = self.config
        session = self.session()
        uploaded = session.upload(chunks, final + cfg.upload_suffix)
        if uploaded.size == 0:  # every event was refused: no file for the partner
            session.remove(uploaded.path)
            return
        session.rename(uploaded.path, final)
        if cfg.stale_part_age and time.monotonic() >= self._next_sweep:
            self._sweep(session, uploaded)
            self._next_sweep = time.monotonic() + cfg.stale_part_age

    def _sweep(self, session: SftpSession, fresh: RemoteFile) -> None:
        """Delete this sink's temporary files older than ``stale_part_age`` by ``fresh``'s
        mtime: the server's clock, whatever this machine's says."""
        cfg = self.config
        ours = f"{cfg.file_prefix}*.jsonl{cfg.upload_suffix}"
        before = fresh.mtime - cfg.stale_part_age
        for f in session.list_files(cfg.remote_dir):
            if f.path == fresh.path or f.mtime >= before or not fnmatch.fnmatchcase(f.name, ours):
                continue
            try:
                session.remove(f.path)
            except (PermissionError, RemoteFileChanged) as exc:  # refused, or removed already
                log.warning("could not delete the stale upload %s: %s", f.path, exc)
                continue
            log.info(
                "deleted %s: a batch upload from %d s ago that never finished",
                f.path,
                fresh.mtime - f.mtime,
            )
