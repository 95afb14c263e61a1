"""The SFTP source: poll a remote folder, take complete files once, map their rows to events.

One poll (:meth:`SftpSource.read`):

1. files whose outcome the previous poll made durable are settled as ``post_process`` says:
   moved to ``done/`` or ``failed/``, deleted, or left in place (the state says which outcome:
   the runner stores it only after the events and dead letters it covers are confirmed, so a
   file never leaves the inbox before its outcome is safe). A move or delete the server
   refuses is logged with the file and the reason, recorded in the state, and the file is left
   where it is: the other files go on;
2. the folder is listed; the read lock picks the complete files (its memory, for
   ``stable-size``, is part of the state); a file still where it was taken (same path, size
   and mtime, not settled yet or left in place) is skipped;
3. each new file is streamed into a local spool (bounded memory, resumed after a drop) while
   its sha256 is computed; a file with the same path and sha256 as one already taken is a
   re-send: it is settled as a duplicate, not read again. The same name, size and mtime back
   after the file was moved or deleted (``put -p`` and WinSCP keep the mtime) is such a
   re-send when its content is the same, and a new file, read, when it is not. A file the
   server refuses to open (a permission) is logged with the server and the path and skipped
   until a later poll can read it; the other files go on;
4. its rows are read from the spool in chunks with checkpoints (file identity, byte offset,
   line), so a restart resumes mid-file without losing or repeating a row.

Event ids come from the file's sha256, the row's line and the mapping's id@version: a file read
again after a crash yields the same ids, and consumers drop the copies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from canonical import Envelope, event_model
from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from connectors.record import RawRecord
from connectors.sdk import (
    SDK_TABLE,
    Checkpoint,
    Decision,
    ReadItem,
    RetryPolicy,
    RetryTable,
    RowKey,
    Source,
    State,
    Stream,
)
from connectors.sdk.translate import translate
from connectors.sftp.config import SftpConfig
from connectors.sftp.download import Fetched, Transfer
from connectors.sftp.errors import (
    SFTP_ERROR_ROWS,
    RemoteFileChanged,
    RemoteFileUnreadable,
    SettleRefused,
)
from connectors.sftp.outage import outage_policy
from connectors.sftp.readlock import ReadLock, Watch, candidates, lock_for, matching
from connectors.sftp.session import RemoteFile, SftpSession
from connectors.sftp.settle import drop_spool, settle_remote, spool_path
from mappings import SPECS_DIR, CompiledMapping, FieldSpec, compile_spec, load_spec

__all__ = ["STREAM", "SftpSource", "SftpSourceConfig"]

log = logging.getLogger(__name__)

#: the one stream of this source: the files of the polled folder
STREAM = "files"

#: a refused file's dead letter carries at most this much of it (the whole file stays on the
#: server in ``failed/``)
_REFUSED_BYTES_KEPT = 8 << 20


class SftpSourceConfig(SftpConfig):
    """An SFTP folder of CSV files and the mapping their rows go through."""

    mapping: Path = Field(
        SPECS_DIR / "csv" / "retail.inventory.adjusted@1.yaml",
        description="mapping spec (YAML) the rows are translated with",
    )
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8-sig"
    spool_dir: Path = Field(Path("var/sftp-spool"), description="local folder for downloads")
    checkpoint_rows: int = Field(10_000, ge=1, description="rows between two checkpoints")
    remember_files: int = Field(
        10_000, ge=1, description="settled files remembered to recognise a re-sent copy"
    )
    source_uri: str = Field("crossdock://connectors/sftp", description="CloudEvents source")


def _file_key(remote: RemoteFile) -> str:
    return f"{remote.path}:{remote.size}:{remote.mtime}"


def _holds(entry: Mapping[str, Any] | None) -> bool:
    """Whether a remembered file is still where it was read: to be settled, or left there."""
    return entry is not None and (not entry.get("settled") or bool(entry.get("left")))


@dataclass
class _Memory:
    """What the stored state remembers across polls, as one read changes it."""

    #: files taken, by :func:`_file_key`: outcome, sha256, whether settled
    seen: dict[str, dict[str, Any]]
    #: the read lock's last look at the files not taken yet (see :mod:`.readlock`)
    watch: Watch = field(default_factory=dict)


class SftpSource(Source[SftpSourceConfig]):
    """Reads CSV files from an SFTP folder (see the module docstring for the protocol)."""

    name: ClassVar[str] = "sftp"
    config_model: ClassVar[type[SftpSourceConfig]] = SftpSourceConfig
    error_rows: ClassVar[Mapping[RowKey, Decision]] = SFTP_ERROR_ROWS

    def __init__(self, config: SftpSourceConfig) -> None:
        super().__init__(config)
        spec = load_spec(config.mapping)
        # a file lacking a column the mapping requires is refused whole (to failed/), not
        # dead-lettered row by row
        required = sorted(
            {
                f.path
                for f in spec.fields.values()
                if isinstance(f, FieldSpec) and f.required and f.path
            }
        )
        self.fmt = CsvFormat(
            required=required, delimiter=config.delimiter, encoding=config.encoding
        )
        self.lock: ReadLock = lock_for(config)
        self._mapping: CompiledMapping | None = None
        self._session: SftpSession | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def mapping(self) -> CompiledMapping:
        """The compiled mapping (compiled on first use)."""
        if self._mapping is None:
            self._mapping = compile_spec(load_spec(self.config.mapping))
            event_model(self._mapping.target_type, self._mapping.target_version)
        return self._mapping

    def policy(self, base: RetryTable = SDK_TABLE) -> RetryPolicy:
        """Retries that ride through a server outage of ``ride_through`` seconds."""
        return outage_policy(self.config, self.decision_table(base))

    def probe(self) -> str:
        """Connect, authenticate, list the folder."""
        cfg = self.config
        with SftpSession(cfg) as session:
            files = matching(session.list_files(cfg.remote_dir), cfg.pattern)
        return f"sftp://{cfg.username}@{cfg.host}:{cfg.port}{cfg.remote_dir}: {len(files)} file(s)"

    def discover(self) -> Sequence[Stream]:
        """One stream: the files of the folder, as the mapping's target event."""
        m = self.mapping
        return [Stream(STREAM, m.target_type, m.target_version, f"{self.config.pattern} files")]

    def close(self) -> None:
        """Close the connection kept between polls."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def session(self) -> SftpSession:
        """The open connection, reconnecting when the last one broke."""
        if self._session is None:
            self._session = SftpSession(self.config).open()
        return self._session

    # -- read ----------------------------------------------------------------------------------
    def read(self, state: State) -> Iterator[ReadItem]:
        """One poll: settle what is durable, then read every new complete file."""
        position = dict(state.position(STREAM) or {})
        memory = _Memory(dict(position.get("seen") or {}), dict(position.get("watch") or {}))
        try:
            yield from self._read(position, memory)
        except BaseException:
            self.close()  # a broken connection is not reused by the next attempt
            raise

    def _read(self, position: dict[str, Any], memory: _Memory) -> Iterator[ReadItem]:
        session = self.session()
        if self._settle(session, memory.seen):
            yield self._checkpoint(memory, position.get("current"))
        current = position.get("current")
        if current is not None:  # a file interrupted mid-read: finish it first
            remote = RemoteFile(current["path"], current["size"], current["mtime"])
            resume = CsvPosition(current["offset"], current["line"])
            try:
                yield from self._take(session, remote, memory, resume)
            except RemoteFileChanged as exc:  # replaced or removed on the server meanwhile
                log.warning("giving up the interrupted read of %s: %s", remote.path, exc)
                yield self._checkpoint(memory, None)
        cfg = self.config
        listing = session.list_files(cfg.remote_dir)
        changed = self._forget(memory, listing)
        files = [f for f in candidates(listing, cfg) if not _holds(memory.seen.get(_file_key(f)))]
        ready, watch = self.lock.ready(files, listing, memory.watch)
        if changed or watch != memory.watch:
            # stored now, so the next poll sees this one whichever object reads it then
            memory.watch = watch
            yield self._checkpoint(memory, None)
        for remote in sorted(ready, key=lambda f: (f.mtime, f.path)):
            # new, or back after it was moved or deleted: a re-send that kept its mtime
            # (``put -p``, WinSCP) has the same name, size and mtime; its content decides
            try:
                yield from self._take(session, remote, memory, None)
            except RemoteFileUnreadable as refused:
                # raised on opening, before any row: not remembered, so it is read once the
                # partner fixes the permission; the files after it go on
                log.warning("%s", refused)
                drop_spool(spool_path(cfg.spool_dir, remote))

    def _take(
        self,
        session: SftpSession,
        remote: RemoteFile,
        memory: _Memory,
        resume: CsvPosition | None,
    ) -> Iterator[ReadItem]:
        seen = memory.seen
        key = _file_key(remote)
        fetched = self._fetch(session, remote)
        entry = {"path": remote.path, "size": remote.size, "mtime": remote.mtime}
        entry["sha256"] = fetched.sha256
        copy_of = next(
            (
                k
                for k, e in seen.items()
                if e.get("path") == remote.path
                and e.get("sha256") == fetched.sha256
                and e.get("outcome") != "failed"
            ),
            None,
        )
        if copy_of is not None:
            log.info("%s is a re-sent copy of %s: not read again", remote.path, copy_of)
            seen[key] = {**entry, "outcome": "duplicate", "settled": False}
            drop_spool(fetched.path)
            yield self._checkpoint(memory, None)
            return
        try:
            yield from self._rows(fetched, resume, memory)
        except RecordError as refused:  # the file as a whole (no header, missing column)
            yield RecordError(
                refused.location,
                refused.reason,
                raw=_head(fetched.path),
                line=1,
                context={"remote": remote.path, "sha256": fetched.sha256},
            )
            seen[key] = {**entry, "outcome": "failed", "reason": refused.reason, "settled": False}
        else:
            seen[key] = {**entry, "outcome": "done", "settled": False}
        drop_spool(fetched.path)
        yield self._checkpoint(memory, None)

    def _fetch(self, session: SftpSession, remote: RemoteFile) -> Fetched:
        spool = spool_path(self.config.spool_dir, remote)
        return Transfer(remote, spool, prefetch_requests=self.config.prefetch_requests).attempt(
            session
        )

    def _rows(
        self, fetched: Fetched, resume: CsvPosition | None, memory: _Memory
    ) -> Iterator[ReadItem]:
        remote = fetched.remote
        cfg = self.config
        # the digest makes locations unique per version of a file: a dead letter is keyed by its
        # location, and next week's count.csv must not be taken for this one's
        src = f"sftp://{cfg.host}:{cfg.port}{remote.path}@{fetched.sha256[:12]}"
        with fetched.path.open("rb") as fh:
            context, header_len = self.fmt.read_header(fh, src)
            context["sha256"] = fetched.sha256
            start = resume or CsvPosition(header_len, 1)
            fh.seek(start.offset)
            for chunk in split_rows(fh, start, cfg.checkpoint_rows):
                for item, _ in self.fmt.parse_chunk(chunk, src, context):
                    yield item
                current = {
                    "path": remote.path,
                    "size": remote.size,
                    "mtime": remote.mtime,
                    "offset": chunk.end.offset,
                    "line": chunk.end.line,
                }
                yield self._checkpoint(memory, current)

    def _forget(self, memory: _Memory, listing: Sequence[RemoteFile]) -> bool:
        """Update what is remembered from a fresh listing; whether anything changed.

        A file left in place that is no longer there is remembered as gone (the same name,
        size and mtime again is a re-send, compared by content). Over ``remember_files``, the
        oldest settled files are forgotten, those still left in the folder last (forgotten,
        such a file would be read again).
        """
        seen = memory.seen
        present = {_file_key(f) for f in listing}
        changed = False
        for key, entry in seen.items():
            if entry.get("left") and key not in present:
                seen[key] = {**entry, "left": False}
                changed = True
        excess = len(seen) - self.config.remember_files
        if excess > 0:
            settled = [k for k, e in seen.items() if e.get("settled")]
            settled.sort(key=lambda k: bool(seen[k].get("left")))  # stable: oldest first
            for key in settled[:excess]:
                del seen[key]
            changed = True
        return changed

    def _checkpoint(self, memory: _Memory, current: Mapping[str, Any] | None) -> Checkpoint:
        return Checkpoint(
            STREAM, {"seen": dict(memory.seen), "current": current, "watch": dict(memory.watch)}
        )

    # -- settle --------------------------------------------------------------------------------
    def _settle(self, session: SftpSession, seen: dict[str, dict[str, Any]]) -> bool:
        """Settle files whose outcome is durable (it is in the state): move, delete or leave."""
        changed = False
        for key, entry in seen.items():
            if entry.get("settled"):
                continue
            remote = RemoteFile(entry["path"], entry["size"], entry["mtime"])
            try:
                settled = settle_remote(
                    session,
                    self.config,
                    remote,
                    failed=entry.get("outcome") == "failed",
                    reason=entry.get("reason", ""),
                )
            except SettleRefused as refused:
                # recorded, left where it is (not read again), and the other files go on
                log.warning("%s", refused)
                seen[key] = {**entry, "settled": True, "left": True, "refused": str(refused)}
            else:
                seen[key] = {**entry, "settled": True, "left": settled.action == "left"}
            changed = True
        return changed

    # -- map -----------------------------------------------------------------------------------
    def mappings(self, record: RawRecord) -> list[CompiledMapping]:
        """The one mapping every row goes through."""
        return [self.mapping]

    def origin(self, record: RawRecord) -> tuple[str, ...]:
        """The file's sha256 and the row's line, as for a file in the local inbox."""
        return (str(record.context.get("sha256") or record.source), str(record.line))

    def to_events(self, record: RawRecord) -> Sequence[Envelope[Any]]:
        """The row through the mapping, validated, with an id from file digest and line."""
        return translate(record, self.mappings(record), origin=self.origin(record)).envelopes(
            source=self.config.source_uri, time=datetime.now(UTC), subject=record.location
        )


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_REFUSED_BYTES_KEPT)
