"""The ``file`` transport: one inbox file as a source the one runner reads.

The local inbox's files go through the same runner as every SDK connector
(:func:`connectors.sdk.runner.run_source`): :class:`FileSource` reads one file, whatever its
format, and :func:`run_file` runs it with the hub's bus and the file's checkpoint. The runner
owns the order of durability (publish confirmed, then dead letters and the checkpoint: for a
file, in one transaction), so a SIGKILL at any point loses nothing: a restart re-reads from
the last checkpoint, its events are published again under the same ids (consumers drop the
copies) and its dead letters, keyed by document and location, are not stored twice.

Each format reads through its fast path and hands the runner
:class:`~connectors.sdk.translated.TranslatedBatch` items, a checkpoint after each:

- **CSV** in chunks of rows: each chunk parsed, mapped, validated and serialised by
  :func:`hub.chunks.translate_chunk`, in the hub's worker processes for a big file (the bulk
  path), in this process for a small one; the checkpoint is the chunk's end (byte offset, line);
- **a document** (X12, EDIFACT, IDoc, POSLog, Shopify JSON) message by message through
  :class:`hub.documents.DocumentMapper` (every spec that reads the message's kind); the
  checkpoint is the number of messages done.

A document that breaks half way (malformed XML, a broken envelope) keeps what was read before
the break: a checkpoint covers it, then the error is raised so the file is refused as a whole
from there on (:mod:`hub.refused_files`). The hub's checkpoints table is this source's state:
one row per document (its key: name, size, sha256), with what the file published and
dead-lettered so far.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, TypedDict

from sqlalchemy import Engine

from canonical import Envelope, dataschema_uri, event_model
from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord
from connectors.sdk import tracing
from connectors.sdk.config import ConnectorConfig
from connectors.sdk.connector import ReadItem, Source
from connectors.sdk.deadletter import DeadLetter
from connectors.sdk.decisions import SDK_TABLE, RetryTable
from connectors.sdk.retry import RetryPolicy
from connectors.sdk.runner import RunOutcome, run_source
from connectors.sdk.state import Checkpoint, State
from connectors.sdk.stream import Stream
from connectors.sdk.translate import Translation, translate
from connectors.sdk.translated import TranslatedBatch
from hub.batch import EventBatch
from hub.bus.topology import routing_key
from hub.checkpoints import load_checkpoint, save_checkpoint
from hub.chunks import ChunkJob, ChunkPhases, ChunkResult, translate_chunk
from hub.connector_bus import HubEventBus
from hub.deadletter.service import DeadLetterService
from hub.document_identity import document_key
from hub.documents import DocumentMapper, MessageOutcome, letter_context
from hub.retry import DEFAULT_TABLE
from hub.worker_pool import WorkerPool
from mappings import CompiledMapping

#: files smaller than this are translated in-process: starting workers is not free
PARALLEL_FROM_BYTES = 8 << 20

__all__ = [
    "FileOutcome",
    "FileSource",
    "FileSourceConfig",
    "PendingBatches",
    "Progress",
    "document_key",
    "run_file",
]

log = logging.getLogger(__name__)

#: called with (records done, bytes done, bytes in the file)
Progress = Callable[[int, int, int], None]


@dataclass(slots=True, kw_only=True)
class FileOutcome(RunOutcome):
    """The runner's outcome of one file; ``published`` and ``dead_lettered`` include what
    earlier, interrupted runs confirmed (``records`` is this run's)."""

    path: Path
    #: the line (CSV) or message (document) this run resumed after
    resumed_from_line: int = 0
    #: done before: the same name, size and sha256 was read to its end; nothing was read
    already_done: bool = False
    seconds: float = 0.0
    #: the file span's trace (None when tracing is off), for the report lines
    trace_id: str | None = None


class FileSourceConfig(ConnectorConfig):
    """One inbox file and how it is read."""

    #: the file connector of ``crossdock.yaml`` the file came in through
    connector: str
    path: Path
    #: the document's identity (:func:`document_key`): the stream its checkpoint is kept under
    doc_key: str
    #: the CloudEvents ``source`` of its events is this and the file name
    source_uri: str = "crossdock:file"
    #: events per bus message, and (documents) messages or dead letters per checkpoint
    batch_size: int = 1000
    #: CSV rows per chunk: one checkpoint each
    chunk_size: int = 10_000
    #: translating processes: None decides by file size, 0 or 1 translates in this process
    workers: int | None = None


class FileSource(Source[FileSourceConfig]):
    """Reads one inbox file: CSV in chunks of rows, a document message by message."""

    name: ClassVar[str] = "file"
    config_model: ClassVar[type[ConnectorConfig]] = FileSourceConfig

    def __init__(
        self,
        config: FileSourceConfig,
        *,
        fmt: CsvFormat | DocumentFormat,
        mapping: CompiledMapping | None = None,
        mapper: DocumentMapper | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        super().__init__(config)
        #: the format the file is read with (CSV takes its chunked bulk path)
        self.fmt = fmt
        #: CSV: the connector's mapping; a document's specs are chosen per message by ``mapper``
        self.mapping = mapping
        self.mapper = mapper
        #: the hub's running workers; without one, a big CSV file starts processes of its own
        self.pool = pool
        if isinstance(fmt, CsvFormat):
            if mapping is None:
                raise TypeError("a CSV file source needs the connector's mapping")
            event_model(mapping.target_type, mapping.target_version)  # fail fast on a bad target
        elif mapper is None:
            raise TypeError("a document file source needs a document mapper")
        self.source = f"{config.source_uri}/{config.path.name}"
        self.doc_id = config.doc_key.rsplit(":", 1)[1]
        #: the trace of the file's span once a read started it (None: tracing is off)
        self.trace_id: str | None = None

    @property
    def stream(self) -> str:
        """The one stream: the document, by its key."""
        return self.config.doc_key

    def policy(self, base: RetryTable = SDK_TABLE) -> RetryPolicy:
        """One attempt: a failed publish is sent again by the bus, and an outage is ridden
        through by the hub's inbox loop (:mod:`hub.outages`), which reads the file again from
        its last checkpoint."""
        return RetryPolicy(max_attempts=1, table=self.decision_table(base))

    def probe(self) -> str:
        """The file is there and readable."""
        with self.config.path.open("rb"):
            return f"{self.config.path} ({self.config.path.stat().st_size} bytes)"

    def discover(self) -> Sequence[Stream]:
        """One stream: the document, as the events its mapping (or its specs) give."""
        if self.mapping is not None:
            m = self.mapping
            return [Stream(self.stream, m.target_type, m.target_version, str(self.config.path))]
        return [Stream(self.stream, "document", 0, f"{self.fmt.name} {self.config.path}")]

    def read(self, state: State) -> Iterator[ReadItem]:
        """The file's translated batches from where ``state`` says, a checkpoint after each."""
        position = state.position(self.stream)
        if isinstance(self.fmt, CsvFormat):
            yield from self._read_csv(self.fmt, position)
        else:
            yield from self._read_document(self.fmt, position)

    def to_events(self, record: RawRecord) -> Sequence[Envelope[Any]]:
        """The events of one record, through the one translate step (its first failure
        raised): what a single message or row gives outside the bulk path."""
        return self._translation(record).envelopes(source=self.source, time=datetime.now(UTC))

    def _translation(self, record: RawRecord) -> Translation:
        if not isinstance(self.fmt, CsvFormat):
            assert self.mapper is not None
            return self.mapper.translate(record, self.fmt, self.doc_id)
        assert self.mapping is not None
        return translate(record, [self.mapping], origin=(self.doc_id, str(record.line)))

    # -- CSV: chunks of rows, in worker processes for a big file -----------------------------
    def _read_csv(self, fmt: CsvFormat, position: Any) -> Iterator[ReadItem]:
        cfg = self.config
        mapping = self.mapping
        assert mapping is not None
        path = cfg.path
        total = path.stat().st_size
        key = routing_key(mapping.target_type, mapping.target_version)
        records = 0
        with _FileTrace(cfg.connector, path, cfg.doc_key) as trace, path.open("rb") as fh:
            self.trace_id = trace.file.trace_id
            context, header_len = fmt.read_header(fh, str(path))
            start = (
                CsvPosition(position["offset"], position["line"])
                if position is not None
                else CsvPosition(header_len, 1)
            )
            fh.seek(start.offset)
            spec_file = str(mapping.file)
            dataschema = dataschema_uri(mapping.target_type, mapping.target_version)
            now = datetime.now(UTC)
            jobs = (
                ChunkJob(
                    chunk=chunk,
                    spec_file=spec_file,
                    fmt=fmt,
                    context=context,
                    connector=cfg.connector,
                    source=self.source,
                    location_prefix=str(path),
                    doc_key=cfg.doc_key,
                    dataschema=dataschema,
                    batch_size=cfg.batch_size,
                    time=now,
                    **trace.chunk(chunk.start.line),
                )
                for chunk in split_rows(fh, start, max(cfg.chunk_size, cfg.batch_size))
            )
            for job, result in self._translated(jobs, total):
                records += result.records
                # the chunk's span is current while the runner publishes and dead-letters it
                # (at the checkpoint), and ends once its checkpoint is stored
                with trace.committed() as span:
                    span.set("crossdock.records", result.records)
                    if result.phases is not None:
                        _phase_spans(result, result.phases)
                    yield TranslatedBatch(
                        records=result.records,
                        messages=[(key, body) for body in result.bodies],
                        events=result.published,
                        dead_rows=result.dead_rows,
                    )
                    end = job.chunk.end
                    yield Checkpoint(self.stream, {"offset": end.offset, "line": end.line})
        yield Checkpoint(self.stream, {"offset": total, "line": start.line + records, "done": True})

    def _translated(
        self, jobs: Iterator[ChunkJob], total_bytes: int
    ) -> Iterator[tuple[ChunkJob, ChunkResult]]:
        """Results in file order; in worker processes when the file is big enough to pay."""
        workers = self.config.workers
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if total_bytes >= PARALLEL_FROM_BYTES else 0
        if workers <= 1:
            for job in jobs:
                yield job, translate_chunk(job)
            return
        if self.pool is not None:
            yield from self.pool.in_order(jobs)
            return
        # no hub pool (a file read on its own): processes for this file only
        assert self.mapping is not None
        with WorkerPool(workers, [str(self.mapping.file)]) as pool:
            yield from pool.in_order(jobs)

    # -- documents: message by message through the specs that read each kind -----------------
    def _read_document(self, fmt: DocumentFormat, position: Any) -> Iterator[ReadItem]:
        assert self.mapper is not None
        path = self.config.path
        done_before = position["line"] if position is not None else 0
        at = 0
        cfg = self.config
        with _FileTrace(cfg.connector, path, cfg.doc_key) as trace, path.open("rb") as fh:
            self.trace_id = trace.file.trace_id
            # a document's events and letters carry its file span (messages are many and small)
            batch = _DocumentBatch(self, fmt, trace.file)
            try:
                for record in fmt.messages(fh, str(path)):
                    at += 1
                    if at <= done_before:
                        continue  # made durable before a crash
                    with tracing.span("crossdock.message") as span:
                        result = self.mapper.translate(record, fmt, self.doc_id)
                        if tracing.enabled():
                            _message_attributes(span, result)
                    batch.add(result)
                    # bounded memory: many events, or many bad messages in a row
                    if batch.full:
                        yield from batch.take(self._document_at(fh, at))
            except RecordError:
                # keep what was read before the break, then refuse the rest of the file
                yield from batch.take(self._document_at(fh, at))
                raise
            if at == 0:
                # an envelope with nothing in it would otherwise end as 0 published, 0 dead
                raise RecordError(str(path), f"no {fmt.name} message in the document", raw=None)
            yield from batch.take(self._document_at(fh, at, done=True))

    def _document_at(self, fh: BinaryIO, at: int, *, done: bool = False) -> Checkpoint:
        # a document resumes by message count (its line); the offset is how far the reader
        # got, for progress only
        position: dict[str, Any] = {"offset": fh.tell(), "line": at}
        if done:
            position["done"] = True
        return Checkpoint(self.stream, position)

    def letters(
        self, result: MessageOutcome, fmt: DocumentFormat, traceparent: str | None = None
    ) -> list[DeadLetter]:
        """The dead letters of one message: one per spec that could not map it."""
        if not result.failures:
            return []
        record = result.record
        context = letter_context(record, fmt, self.doc_id)
        if traceparent is not None:  # the trace the letter's message was read in
            context = {**context, tracing.TRACEPARENT: traceparent}
        raw = record.data if not isinstance(record, RecordError) else (record.raw or b"")
        content_type = getattr(record, "content_type", "application/octet-stream")
        letters = []
        for failure in result.failures:
            mapping = failure.mapping
            where = result.where + (f", mapping {mapping.id}" if mapping else "")
            letters.append(
                DeadLetter(
                    connector=self.config.connector,
                    source=self.source,
                    source_key=self.config.doc_key,
                    location=where,
                    stage=failure.stage,
                    error=failure.error,
                    decision=DEFAULT_TABLE.decide(failure.error),
                    payload=raw,
                    content_type=content_type,
                    context=context,
                    mapping_id=mapping.id if mapping else None,
                    mapping_version=mapping.version if mapping else None,
                    event_type=mapping.target_type if mapping else None,
                )
            )
        return letters


def _phase_spans(result: ChunkResult, phases: ChunkPhases) -> None:
    """A chunk's read, map and validate spans, children of the current (the chunk's) span,
    from the times its worker measured: each as long as that stage took over the chunk's rows,
    laid end to end from when the worker began (rows interleave the stages)."""
    failures = phases.failures
    at = phases.started
    for name, took, attributes in (
        (
            "crossdock.read",
            phases.read,
            {"crossdock.records": result.records, "crossdock.failures": failures.get("decode", 0)},
        ),
        ("crossdock.map", phases.map, {"crossdock.failures": failures.get("mapping", 0)}),
        (
            "crossdock.validate",
            phases.validate,
            {
                "crossdock.events": result.published,
                "crossdock.failures": failures.get("validation", 0),
            },
        ),
    ):
        stage = tracing.start_span(name, attributes=attributes, start_time=at)
        at += took
        stage.end(end_time=at)


def _message_attributes(span: tracing.Span, result: MessageOutcome) -> None:
    """A document message's span: where it was, its events' ids, failures' stages."""
    span.set("crossdock.location", result.where)
    ids = [str(e.event_id) for e in result.events]
    if ids:
        span.set("cloudevents.event_id", ids[0])
        span.set("crossdock.events", len(ids))
    for failure in result.failures:
        span.add_event("dead letter", {"crossdock.stage": failure.stage})


class _ChunkTrace(TypedDict, total=False):
    """A chunk's span as its job carries it (see :class:`hub.chunks.ChunkJob`)."""

    traceparent: str | None
    tracestate: str | None


_NO_TRACE: _ChunkTrace = {}


class _FileTrace:
    """The spans of one file: its own, and its chunks' — cut ahead of the one being committed
    (chunks in flight in worker processes), they wait here in file order. Nothing is done
    while tracing is off."""

    __slots__ = ("chunks", "file")

    def __init__(self, connector: str, path: Path, doc_key: str) -> None:
        self.chunks: deque[tracing.Span] = deque()
        self.file = (
            tracing.span(
                "crossdock.file",
                attributes={
                    "crossdock.connector": connector,
                    "crossdock.file": path.name,
                    "crossdock.document": doc_key,
                },
            )
            if tracing.enabled()
            else tracing.NO_SPAN
        )

    def chunk(self, line: int) -> _ChunkTrace:
        """Start the span of the chunk from ``line``; the trace its events carry."""
        if not tracing.enabled():
            return _NO_TRACE
        span = tracing.start_span("crossdock.chunk", attributes={"crossdock.line": line})
        self.chunks.append(span)
        return {"traceparent": span.traceparent, "tracestate": span.tracestate}

    def committed(self) -> tracing.Span:
        """The oldest chunk's span, made current until its checkpoint ends it."""
        return self.chunks.popleft() if self.chunks else tracing.NO_SPAN

    def __enter__(self) -> _FileTrace:
        self.file.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        for span in self.chunks:  # cut but never committed: the file stopped early
            span.end()
        self.file.__exit__(*exc)


@dataclass
class PendingBatches:
    """Events waiting for the next checkpoint: one batch message per spec (routing key)."""

    source: str
    time: datetime
    batches: dict[str, tuple[CompiledMapping, EventBatch]] = field(default_factory=dict)
    events: int = 0
    #: the span the events were made in (their CloudEvents traceparent); None: not traced
    traceparent: str | None = None
    tracestate: str | None = None

    def add(self, outcome: Translation) -> None:
        """Queue the events of one record."""
        for event in outcome.events:
            m = event.mapping
            entry = self.batches.get(m.id)
            if entry is None:
                batch = EventBatch(
                    source=self.source,
                    event_type=m.target_type,
                    version=m.target_version,
                    dataschema=dataschema_uri(m.target_type, m.target_version),
                    time=self.time,
                    traceparent=self.traceparent,
                    tracestate=self.tracestate,
                )
                entry = self.batches[m.id] = (m, batch)
            entry[1].add(event.event_id, event.data)
            self.events += 1

    def take(self) -> list[tuple[str, bytes]]:
        """(routing key, batch body) pairs for everything queued; starts empty again."""
        bodies = [
            (routing_key(m.target_type, m.target_version), batch.body())
            for m, batch in self.batches.values()
            if len(batch)
        ]
        self.batches.clear()
        self.events = 0
        return bodies


class _DocumentBatch:
    """A document's messages since its last checkpoint: their events and dead letters."""

    def __init__(self, source: FileSource, fmt: DocumentFormat, span: tracing.Span) -> None:
        self.source, self.fmt = source, fmt
        self.traceparent = span.traceparent
        self.pending = PendingBatches(
            source.source,
            datetime.now(UTC),
            traceparent=span.traceparent,
            tracestate=span.tracestate,
        )
        self.letters: list[DeadLetter] = []
        self.records = self.ignored = 0

    def add(self, result: MessageOutcome) -> None:
        self.records += 1
        self.ignored += result.ignored is not None
        for warning in result.warnings:
            log.warning(
                "%s: %s", result.where, warning, extra={"file": self.source.config.path.name}
            )
        self.pending.add(result)
        self.letters += self.source.letters(result, self.fmt, self.traceparent)

    @property
    def full(self) -> bool:
        size = self.source.config.batch_size
        return self.pending.events >= size or len(self.letters) >= size

    def take(self, checkpoint: Checkpoint) -> Iterator[ReadItem]:
        """The batch so far, then the checkpoint that covers it; starts empty again."""
        now = datetime.now(UTC)
        events = self.pending.events
        yield TranslatedBatch(
            records=self.records,
            messages=self.pending.take(),
            events=events,
            dead_rows=[d.as_row(now) for d in self.letters],
            ignored=self.ignored,
        )
        self.letters, self.records, self.ignored = [], 0, 0
        yield checkpoint


class _LettersWithCheckpoint:
    """The bus of one file's read: events go out at once (the runner waits for their
    confirms); the dead-letter rows a checkpoint covers are held until ``run_file`` commits
    them in that checkpoint's transaction (one commit a chunk, as the letters and the read
    position belong together). Rows are durable once their checkpoint is, which is the
    order the runner asks for: a crash before it re-reads them."""

    def __init__(self, bus: HubEventBus) -> None:
        self.bus = bus
        self.rows: list[dict[str, Any]] = []

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        self.bus.publish(events)

    def publish_messages(self, messages: Sequence[tuple[str, bytes]]) -> None:
        self.bus.publish_messages(messages)

    def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        self.bus.dead_letter(letters)

    def dead_letter_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows.extend(rows)

    def take(self) -> list[dict[str, Any]]:
        """The rows held so far; none held after."""
        rows, self.rows = self.rows, []
        return rows


def run_file(
    source: FileSource,
    bus: HubEventBus,
    engine: Engine,
    progress: Progress | None = None,
) -> FileOutcome:
    """Read one file through the runner from its checkpoint; its counts, all runs included.

    A document already done (same name, size and sha256) is ``already_done``: nothing is read.
    Each checkpoint is saved in the hub's checkpoints table with the file's counts so far.
    """
    started = time.perf_counter()
    cfg = source.config
    doc_key = cfg.doc_key
    with engine.connect() as conn:
        checkpoint = load_checkpoint(conn, doc_key)
    state = State()
    resumed_from = published_before = dead_before = 0
    if checkpoint is not None:
        if checkpoint.done:
            return FileOutcome(state=state, path=cfg.path, already_done=True)
        state = State({doc_key: {"offset": checkpoint.offset, "line": checkpoint.line}})
        resumed_from = checkpoint.line
        published_before, dead_before = checkpoint.published, checkpoint.dead_lettered
    total = cfg.path.stat().st_size
    held = _LettersWithCheckpoint(bus)

    def save(run: RunOutcome) -> None:
        position = run.state.position(doc_key) or {}
        # the letters the checkpoint covers and the checkpoint commit together
        with engine.begin() as conn:
            DeadLetterService.add_rows(conn, held.take())
            save_checkpoint(
                conn,
                doc_key,
                offset=position.get("offset", 0),
                line=position.get("line", 0),
                done=bool(position.get("done")),
                published=published_before + run.published,
                dead_lettered=dead_before + run.dead_lettered,
            )
        if progress is not None:
            progress(run.records, min(position.get("offset", 0), total), total)

    run = run_source(source, held, state, table=DEFAULT_TABLE, on_progress=save)
    # a read ends at a checkpoint; letters after one would be stored on their own
    bus.dead_letter_rows(held.take())
    return FileOutcome(
        state=run.state,
        records=run.records,
        published=published_before + run.published,
        dead_lettered=dead_before + run.dead_lettered,
        retries=run.retries,
        checkpoints=run.checkpoints,
        dead_letter_locations=run.dead_letter_locations,
        ignored=run.ignored,
        path=cfg.path,
        resumed_from_line=resumed_from,
        seconds=time.perf_counter() - started,
        trace_id=source.trace_id,
    )
