"""Reconcile: every record of an inbox file accounted for, from the hub's own records.

For each file, :class:`Reconciler` proves

    records read = distinct events confirmed + dead letters + in flight

and lists any record that is none of these by its line (CSV) or message (documents). What each
side is known from (no broker is read back: the events' queues belong to their consumers):

- *records read*: the file's bytes, read again with the connector's own reader and translated
  again with its mapping (:func:`hub.chunks.translate_chunk`, the pipeline's step) up to the
  file's checkpoint, the position the hub committed after its last confirmed batch;
- *distinct events confirmed*: the checkpoint's count. The hub adds a batch's events to it
  only in the transaction that follows the broker's confirm of every message of the batch, and
  a file resumed after a crash starts again from the committed count, so a batch published
  twice across a crash is counted once (its events keep their ids, see
  :mod:`connectors.sdk.translate`);
- *dead letters*: the rows of the dead-letter table whose origin is this document (the
  document's sha256 and the record's line), whatever their status: a replayed or discarded
  letter was accounted for when it was stored;
- *in flight*: the records past the checkpoint of a file still in the inbox: being read now
  (a hub's claim on it is live, :mod:`hub.file_claims`), or to be resumed by the next run.

A gap is a record none of these covers: a record past the checkpoint of a file that has left
the inbox, a record the mapping refuses with no dead letter (a letter deleted by hand), or a
count that does not add up. Where the counts add up but today's mapping judges a record
otherwise than the hub did (a newer mapping version), nothing is a gap.

A document (X12, EDIFACT, IDoc, POSLog, Shopify) is balanced per message: a message gives
events (counted against the checkpoint's), is ignored (carries no business event), or has
dead letters. A file refused whole, or refused from a record on (a line over its cap), is
accounted for by its one dead letter for the rest (:mod:`hub.refused_files`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import Engine, Select, select

from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from connectors.formats.document import DocumentFormat
from connectors.sdk.deadletter import describe_error
from hub.checkpoints import Checkpoint, CheckpointRow, load_checkpoint
from hub.chunks import ChunkJob, translate_chunk
from hub.config import Settings, csv_format_for
from hub.deadletter.table import DEAD_LETTERS
from hub.documents import DocumentMapper, inbox_document_format
from hub.errors import ConfigError
from hub.file_claims import claim_holder
from hub.file_source import document_key
from hub.partners import PartnerDirectory
from mappings import SpecRegistry, installed_specs

__all__ = ["FileBalance", "Gap", "Reconciler", "line_ranges"]

#: a document's key: its name, size and sha256 (:func:`hub.file_source.document_key`)
_DOC_KEY = re.compile(r"^(?P<name>.+):(?P<size>\d+):(?P<sha>[0-9a-f]{64})$")
#: the ``source`` of a file source's letters (its default ``source_uri``)
_SOURCE = "crossdock:file/"
#: rows translated at a time while reconciling (memory stays flat whatever the file)
_CHUNK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class Gap:
    """Records nothing accounts for: where (lines or messages, when known), how many, and why."""

    where: str
    records: int
    why: str

    def as_json(self) -> dict[str, Any]:
        """The gap as plain values."""
        return {"where": self.where, "records": self.records, "why": self.why}


@dataclass(slots=True)
class FileBalance:
    """The balance of one file."""

    #: the file's name as the hub read it
    name: str
    #: where the file is now (None: not found in the inbox, done/ or failed/)
    path: Path | None
    #: the document's key (name, size, sha256), or the refused file's letter key
    document: str
    #: ``done``, ``in the inbox``, ``refused`` or ``not found``
    state: str
    #: records counted by reading the file again (messages for a document)
    records: int = 0
    events: int = 0
    dead_letters: int = 0
    in_flight: int = 0
    #: document messages that carry no business event (a 997, a till sign-on)
    ignored: int = 0
    #: where a refused file's one dead letter takes over (``None``: not refused)
    refused_from: str | None = None
    #: the hub whose claim on a file in the inbox is live (it is being read now)
    reader: str | None = None
    gaps: list[Gap] = field(default_factory=list)
    #: how the records were counted, in words
    basis: str = ""

    @property
    def balanced(self) -> bool:
        """Whether every record is accounted for."""
        return not self.gaps

    def as_json(self) -> dict[str, Any]:
        """The balance as plain values (what ``--json`` and the ops API give)."""
        return {
            "name": self.name,
            "path": str(self.path) if self.path is not None else None,
            "document": self.document,
            "state": self.state,
            "records": self.records,
            "events_confirmed": self.events,
            "dead_letters": self.dead_letters,
            "ignored": self.ignored,
            "in_flight": self.in_flight,
            "refused_from": self.refused_from,
            "reader": self.reader,
            "balanced": self.balanced,
            "gaps": [g.as_json() for g in self.gaps],
            "basis": self.basis,
        }


def line_ranges(lines: Iterable[int]) -> str:
    """``3, 7–9, 12`` for lines 3, 7, 8, 9, 12."""
    parts: list[str] = []
    ordered = sorted(set(lines))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


class _Upto:
    """A file read only up to a byte offset (the rows a checkpoint covers); ``read`` is all
    :func:`~connectors.formats.csv.split_rows` calls."""

    def __init__(self, fh: BinaryIO, end: int) -> None:
        self.fh = fh
        self.end = end
        self.name = getattr(fh, "name", "file")

    def read(self, size: int = -1) -> bytes:
        left = self.end - self.fh.tell()
        if left <= 0:
            return b""
        return self.fh.read(left if size < 0 else min(size, left))


@dataclass(slots=True)
class _Translated:
    """What translating a range of a file again gave."""

    records: int = 0
    events: int = 0
    #: line → reason, for each record the mapping refuses
    refused: dict[int, str] = field(default_factory=dict)
    #: line → where a refused document message is (interchange, message, segment)
    where: dict[int, str] = field(default_factory=dict)
    #: the first and last record's line (CSV) or position (documents)
    first_line: int = 0
    last_line: int = 0
    #: the line in the file of the last record read (its letters are at or before it)
    last_physical: int = 0


class Reconciler:
    """Balances files against the hub's records (see the module docstring)."""

    def __init__(
        self, engine: Engine, settings: Settings, registry: SpecRegistry | None = None
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.registry = registry or _installed_specs()
        self.inbox = settings.resolved_inbox
        settings.limits.apply()  # read as the hub reads: the same caps refuse the same records

    # -- which files -----------------------------------------------------------------------------
    def file(self, path: Path) -> FileBalance:
        """The balance of the file at ``path`` (in the inbox, done/ or failed/)."""
        doc_key = document_key(path)
        with self.engine.connect() as conn:
            checkpoint = load_checkpoint(conn, doc_key)
        return self._balance(path, doc_key, checkpoint)

    def named(self, name: str) -> list[FileBalance]:
        """The balances of the files called ``name`` in the inbox, done/ and failed/."""
        return [self.file(path) for path in sorted(self._files_at_hand().get(name, []))]

    def since(self, since: datetime | None = None) -> list[FileBalance]:
        """The balances of every file the hub checkpointed or refused at or after ``since``
        (every file when None), oldest first."""
        query = select(
            CheckpointRow.source_key,
            CheckpointRow.offset,
            CheckpointRow.line,
            CheckpointRow.done,
            CheckpointRow.published,
            CheckpointRow.dead_lettered,
        ).order_by(CheckpointRow.updated_at)
        if since is not None:
            query = query.where(CheckpointRow.updated_at >= since)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = self._files_at_hand()
        balances: list[FileBalance] = []
        seen: set[Path] = set()
        for key, offset, line, done, published, dead in rows:
            match = _DOC_KEY.match(key)
            if match is None:
                continue  # the routing feed's cursor and other non-file positions
            checkpoint = Checkpoint(offset, line, done, published, dead)
            path = self._locate(found, match["name"], int(match["size"]), match["sha"])
            if path is None:
                balances.append(self._not_found(match["name"], key, checkpoint))
                continue
            seen.add(path)
            balances.append(self._balance(path, key, checkpoint))
        # files refused whole have a dead letter and no checkpoint
        for path in sorted(self._refused_since(since) - seen):
            balances.append(self._balance(path, document_key(path), None))
        return balances

    def _files_at_hand(self) -> dict[str, list[Path]]:
        """Files of the inbox, done/ and failed/ by the name the hub read them under."""
        found: dict[str, list[Path]] = {}
        for folder in (self.inbox, self.inbox / "done", self.inbox / "failed"):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.is_file() and not path.is_symlink() and path.suffix != ".reason":
                    found.setdefault(path.name, []).append(path)
                    # done/a.1.csv is the second a.csv settled (hub.inbox.Inbox.target)
                    stem, _, number = path.stem.rpartition(".")
                    if stem and number.isdigit():
                        found.setdefault(stem + path.suffix, []).append(path)
        return found

    @staticmethod
    def _locate(found: dict[str, list[Path]], name: str, size: int, sha: str) -> Path | None:
        for path in found.get(name, []):
            try:
                if path.stat().st_size == size and document_key(path).endswith(":" + sha):
                    return path
            except OSError:
                continue
        return None

    def _refused_since(self, since: datetime | None) -> set[Path]:
        """Files in failed/ whose one dead letter was stored at or after ``since``."""
        failed = self.inbox / "failed"
        if not failed.is_dir():
            return set()
        query = _file_letters()
        if since is not None:
            query = query.where(DEAD_LETTERS.c.first_failed_at >= since)
        with self.engine.connect() as conn:
            contexts = conn.execute(query).scalars().all()
        names = {Path(str(c["file"])).name for c in contexts if c and c.get("file")}
        # a link or FIFO refused from the inbox is never opened here either
        return {
            p for p in failed.iterdir() if p.name in names and p.is_file() and not p.is_symlink()
        }

    # -- one file --------------------------------------------------------------------------------
    @staticmethod
    def _state(path: Path) -> str:
        # where the inbox puts a file it has settled (hub.inbox.Inbox.settle)
        if path.parent.name == "done":
            return "done"
        if path.parent.name == "failed":
            return "refused"
        return "in the inbox"

    def _not_found(self, name: str, key: str, checkpoint: Checkpoint) -> FileBalance:
        """A checkpointed file no longer at hand: its counts checked against the letters."""
        stored = len(self._letter_lines(name, key.rsplit(":", 1)[1]))
        balance = FileBalance(
            name,
            None,
            key,
            "not found",
            records=checkpoint.published + checkpoint.dead_lettered,
            events=checkpoint.published,
            dead_letters=stored,
            basis="the checkpoint's counts only: the file is not in the inbox, done/ or failed/",
        )
        if stored < checkpoint.dead_lettered:
            balance.gaps.append(
                Gap(
                    "",
                    checkpoint.dead_lettered - stored,
                    f"the checkpoint counted {checkpoint.dead_lettered} dead letters, "
                    f"{stored} are stored (not located: the file is not at hand)",
                )
            )
        if not checkpoint.done:
            balance.gaps.append(
                Gap(
                    f"after line {checkpoint.line}",
                    0,
                    "the file left the inbox before its checkpoint reached the end",
                )
            )
        return balance

    def _balance(self, path: Path, doc_key: str, checkpoint: Checkpoint | None) -> FileBalance:
        name = _DOC_KEY.match(doc_key)
        read_as = name["name"] if name else path.name
        balance = FileBalance(read_as, path, doc_key, self._state(path))
        try:
            connector = self.settings.file_connector_for(read_as)
        except ConfigError as exc:
            balance.gaps.append(Gap("", 0, f"cannot be read again: {exc}"))
            return balance
        if balance.state == "in the inbox":
            balance.reader = claim_holder(self.engine, path, connector.name)
        try:
            fmt = inbox_document_format(connector, path)
        except RecordError as exc:
            return self._refused(balance, checkpoint, exc)
        if fmt is None:
            self._csv(
                balance,
                csv_format_for(connector, self.registry),
                connector.name,
                connector.mapping,
                checkpoint,
            )
        else:
            self._document(balance, fmt, checkpoint)
        return balance

    def _csv(
        self,
        balance: FileBalance,
        fmt: CsvFormat,
        connector: str,
        mapping_id: str,
        checkpoint: Checkpoint | None,
    ) -> None:
        path = cast(Path, balance.path)
        doc_key = balance.document
        mapping = self.registry.get(mapping_id)
        balance.basis = (
            f"the file read again with connector {connector}'s reader and mapping "
            f"{mapping.id}@{mapping.version} up to its checkpoint"
        )
        with path.open("rb") as fh:
            try:
                context, header_len = fmt.read_header(fh, str(path))
            except RecordError as exc:
                self._refused(balance, checkpoint, exc)
                return
            upto = checkpoint.offset if checkpoint is not None else header_len
            start = CsvPosition(header_len, 1)

            def job(chunk: Any) -> ChunkJob:
                return ChunkJob(
                    chunk=chunk,
                    spec_file=str(mapping.file),
                    fmt=fmt,
                    context=context,
                    connector=connector,
                    source=_SOURCE + balance.name,
                    location_prefix=str(path),
                    doc_key=doc_key,
                    dataschema="",
                    batch_size=_CHUNK_ROWS,
                    time=datetime.now(UTC),
                )

            fh.seek(header_len)
            upto_fh = cast(BinaryIO, _Upto(fh, upto))
            chunks = split_rows(upto_fh, start, _CHUNK_ROWS, source=str(path))
            read = _translate(job, chunks)
            after = CsvPosition(upto, checkpoint.line) if checkpoint is not None else start
            fh.seek(after.offset)
            refusal: RecordError | None = None
            rest = _Translated()
            try:
                rest = _translate(job, split_rows(fh, after, _CHUNK_ROWS, source=str(path)), rest)
            except RecordError as exc:  # a record over its cap: the file was refused there
                refusal = exc
        stored = self._letter_lines(balance.name, doc_key.rsplit(":", 1)[1])
        self._settle(balance, checkpoint, (read, rest), stored, refusal, unit="line")

    def _document(
        self, balance: FileBalance, fmt: DocumentFormat, checkpoint: Checkpoint | None
    ) -> None:
        path = cast(Path, balance.path)
        doc_id = balance.document.rsplit(":", 1)[1]
        mapper = DocumentMapper(self.registry, partners=PartnerDirectory(self.settings.partners))
        done_before = checkpoint.line if checkpoint is not None else 0
        balance.basis = (
            f"the {fmt.name} document read again message by message with the installed "
            f"mappings up to its checkpoint (message {done_before})"
        )
        read, rest = _Translated(), _Translated()
        refusal: RecordError | None = None
        position = 0
        with path.open("rb") as fh:
            try:
                for record in fmt.messages(fh, str(path)):
                    position += 1
                    part = read if position <= done_before else rest
                    result = mapper.translate(record, fmt, doc_id)
                    line = record.line or 0
                    part.records += 1
                    part.first_line = part.first_line or position
                    part.last_line = position
                    part.last_physical = max(part.last_physical, line)
                    if result.failures:
                        why = (describe_error(f.error) for f in result.failures)
                        part.refused[line] = "; ".join(why)
                        part.where[line] = result.where
                    elif result.ignored is not None:
                        balance.ignored += position <= done_before
                    part.events += len(result.events)
            except RecordError as exc:
                refusal = exc
        stored = self._letter_lines(balance.name, doc_id, document=True)
        self._settle(balance, checkpoint, (read, rest), stored, refusal, unit="message")

    def _settle(
        self,
        balance: FileBalance,
        checkpoint: Checkpoint | None,
        parts: tuple[_Translated, _Translated],
        stored: dict[int, int],
        refusal: RecordError | None,
        *,
        unit: str,
    ) -> None:
        """Add up one file from what reading it again gave (up to the checkpoint, and after
        it) and the letters the hub stored."""
        read, rest = parts
        # letters of records past the checkpoint: stored by a hub that got further than its
        # last commit said (letters and checkpoint commit together, so only by hand)
        beyond = sum(n for line, n in stored.items() if line > read.last_physical)
        stored = {line: n for line, n in stored.items() if line <= read.last_physical}
        balance.records = read.records
        balance.events = checkpoint.published if checkpoint is not None else 0
        balance.dead_letters = sum(stored.values())
        if refusal is not None or balance.state == "refused":
            self._refused_rest(balance, rest, refusal)
        elif rest.records:
            balance.records += rest.records
            balance.dead_letters += beyond
            unaccounted = max(rest.records - beyond, 0)
            if balance.state == "in the inbox":
                balance.in_flight = unaccounted
            elif unaccounted:
                balance.gaps.append(
                    Gap(
                        _span(unit, rest.first_line, rest.last_line),
                        unaccounted,
                        f"past the checkpoint of a file moved to {balance.state}/: never confirmed",
                    )
                )
        # the records the checkpoint covers: each an event, an ignored message or a dead letter
        if unit == "line":
            short = read.records - balance.events - len(stored)
            if short < 0:
                balance.gaps.append(
                    Gap(
                        "",
                        -short,
                        f"{balance.events} events and {len(stored)} dead-lettered lines for "
                        f"{read.records} records: more than were read",
                    )
                )
        else:
            # a message gives several events or none: its letters are checked one by one
            short = sum(1 for line in read.refused if line not in stored)
            if read.events > balance.events:
                balance.gaps.append(
                    Gap(
                        "",
                        read.events - balance.events,
                        f"the checkpoint confirmed {balance.events} events, the messages it "
                        f"covers give {read.events}",
                    )
                )
        if short <= 0:
            return
        missing = sorted(line for line in read.refused if line not in stored)
        for line in missing[:short]:
            where = read.where.get(line) or f"line {line}"
            balance.gaps.append(Gap(where, 1, f"no dead letter: {read.refused[line][:200]}"))
        if len(missing) < short:
            balance.gaps.append(
                Gap(
                    "",
                    short - len(missing),
                    "records neither confirmed nor dead-lettered, not located: today's "
                    "mapping gives them events",
                )
            )

    def _refused_rest(
        self, balance: FileBalance, rest: _Translated, refusal: RecordError | None
    ) -> None:
        """A file refused from a record on: its one dead letter keeps the rest."""
        where = refusal.location if refusal is not None else "the file"
        balance.refused_from = where
        path = cast(Path, balance.path)
        if balance.state == "refused" and self._file_letter(path):
            balance.dead_letters += 1
            return
        balance.records += rest.records
        if balance.state == "in the inbox":
            balance.in_flight = rest.records
            return
        balance.gaps.append(
            Gap(
                where,
                rest.records,
                "refused from here on, and no dead letter keeps the file",
            )
        )

    def _refused(
        self, balance: FileBalance, checkpoint: Checkpoint | None, error: RecordError
    ) -> FileBalance:
        """A file that cannot be read at all (no header, unknown content, not text)."""
        balance.basis = "a file refused whole: its one dead letter keeps it"
        if checkpoint is not None:
            balance.events = checkpoint.published
        self._refused_rest(balance, _Translated(), error)
        return balance

    # -- the hub's records -----------------------------------------------------------------------
    def _letter_lines(self, name: str, doc_id: str, *, document: bool = False) -> dict[int, int]:
        """Dead letters of one document (any status) by the line of their record → how many."""
        query = select(DEAD_LETTERS.c.context).where(DEAD_LETTERS.c.source == _SOURCE + name)
        lines: dict[int, int] = {}
        with self.engine.connect() as conn:
            for context in conn.execute(query).scalars():
                line = _origin_line(context or {}, doc_id, document=document)
                if line is not None:
                    lines[line] = lines.get(line, 0) + 1
        return lines

    def _file_letter(self, path: Path) -> bool:
        """Whether the one dead letter of a file refused to ``path`` is stored."""
        query = _file_letters()
        with self.engine.connect() as conn:
            for context in conn.execute(query).scalars():
                where = (context or {}).get("file")
                if where and _same_file(Path(str(where)), path):
                    return True
        return False


def _file_letters() -> Select[tuple[Any]]:
    """The contexts of the letters of files refused whole (not of their rows, whose source is
    the pipeline's)."""
    return select(DEAD_LETTERS.c.context).where(
        DEAD_LETTERS.c.stage == "decode", DEAD_LETTERS.c.source.not_like(_SOURCE + "%")
    )


@functools.cache
def _installed_specs() -> SpecRegistry:
    # compiled once per process: the ops page reconciles on every view
    return installed_specs()


def _span(unit: str, first: int, last: int) -> str:
    return f"{unit} {first}" if first == last else f"{unit}s {first}–{last}"


def _origin_line(context: dict[str, Any], doc_id: str, *, document: bool) -> int | None:
    if document:
        if context.get("document") != doc_id:
            return None
        return int(context.get("line") or 0)
    origin = context.get("origin")
    if not isinstance(origin, list) or len(origin) != 2 or origin[0] != doc_id:
        return None
    return int(origin[1])


def _same_file(stored: Path, path: Path) -> bool:
    if stored.name != path.name:
        return False
    try:
        return stored.resolve() == path.resolve() or stored.parent.name == path.parent.name
    except OSError:
        return stored.parent.name == path.parent.name


def _translate(job: Any, chunks: Iterator[Any], into: _Translated | None = None) -> _Translated:
    """Translate ``chunks`` as the pipeline does; count records, events and refused lines."""
    out = into or _Translated()
    for chunk in chunks:
        result = translate_chunk(job(chunk))
        if result.records:
            out.first_line = out.first_line or chunk.start.line + 1
            out.last_line = out.last_physical = chunk.end.line
        out.records += result.records
        out.events += result.published
        for row in result.dead_rows:
            origin = row["context"].get("origin") or [None, "0"]
            out.refused[int(origin[1])] = str(row["reason"])
    return out
