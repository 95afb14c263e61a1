"""The file pipeline: a document in, confirmed events out, every bad record a dead letter.

One module for every file the inbox takes, whatever its format: a CSV file in chunks of rows
(:class:`FilePipeline`, the format's fast path: chunks translated in worker processes for big
files) or a document message by message (:class:`DocumentPipeline`: X12, EDIFACT, IDoc,
POSLog, Shopify). Both resume and commit through one base (:class:`_Durable`), so the order of
durability, which is what makes a SIGKILL at any point lose nothing, lives in one place:

1. records are read in file order and translated; good ones go into batch messages, bad ones
   become dead-letter rows (their bytes, the reason, what replay needs);
2. the batch messages are published and the publisher is flushed: the broker has confirmed
   every one of them;
3. then, in ONE database transaction, the dead letters and the new read position (checkpoint)
   are committed.

A crash before (3) re-reads from the last checkpoint after restart: its events are published
again with the same deterministic ids (consumers drop the copies) and its dead letters, keyed by
document and location, are not stored twice. A document that breaks half way (malformed XML,
a broken envelope) keeps what was read before the break: it is published and committed, then
the error is raised so the file is refused as a whole from there on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import Engine

from canonical import dataschema_uri, event_model
from connectors.errors import RecordError
from connectors.formats import document_formats
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from connectors.formats.document import DocumentFormat
from connectors.sdk import tracing
from connectors.sdk.deadletter import DeadLetter
from hub.batch import EventBatch
from hub.bus.confirmed import publish_confirmed
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from hub.chunks import ChunkJob, ChunkResult, translate_chunk
from hub.deadletter.service import DeadLetterService
from hub.documents import DocumentMapper, MessageOutcome, letter_context
from hub.retry import DEFAULT_TABLE, RetryPolicy
from hub.worker_pool import WorkerPool
from mappings import CompiledMapping

#: files smaller than this are translated in-process: starting workers is not free
PARALLEL_FROM_BYTES = 8 << 20

__all__ = [
    "DocumentPipeline",
    "FileOutcome",
    "FilePipeline",
    "PendingBatches",
    "Progress",
    "document_key",
]

log = logging.getLogger(__name__)

#: called with (records done, bytes done, bytes in the file)
Progress = Callable[[int, int, int], None]


@dataclass(slots=True)
class FileOutcome:
    """What one file produced."""

    path: Path
    records: int = 0
    published: int = 0
    dead_lettered: int = 0
    #: document messages carrying no business event (a 997, a till sign-on), counted and shown
    ignored: int = 0
    resumed_from_line: int = 0
    already_done: bool = False
    seconds: float = 0.0
    dead_letter_locations: list[str] = field(default_factory=list)
    #: the file span's trace (None when tracing is off), for the report lines
    trace_id: str | None = None


def document_key(path: Path) -> str:
    """Identity of a document: name, size and sha256 of its bytes (not its path or mtime)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return f"{path.name}:{size}:{digest.hexdigest()}"


class _Settings(TypedDict, total=False):
    """What every file pipeline is built with (see :class:`_Durable`)."""

    connector: Required[str]
    publisher: Required[ConfirmedPublisher]
    engine: Required[Engine]
    source_uri: str
    batch_size: int
    retry: RetryPolicy | None
    progress: Progress | None
    on_confirmed: Callable[[bytes], None] | None


class _Durable:
    """What every file pipeline shares: where a file resumes, and the commit after a confirm."""

    def __init__(
        self,
        *,
        connector: str,
        publisher: ConfirmedPublisher,
        engine: Engine,
        source_uri: str = "crossdock:file",
        batch_size: int = 1000,
        retry: RetryPolicy | None = None,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> None:
        self.connector = connector
        self.publisher = publisher
        self.engine = engine
        self.source_uri = source_uri
        self.batch_size = batch_size
        self.retry = retry or RetryPolicy()
        self.progress = progress
        #: called with each batch body once the broker confirmed it (e.g. to show events)
        self.on_confirmed = on_confirmed

    def _resume(self, path: Path) -> tuple[FileOutcome, str, Checkpoint | None]:
        """The outcome so far, the document's key and its checkpoint (None: from the start).

        A document already done is ``outcome.already_done``; the caller reads nothing.
        """
        outcome = FileOutcome(path)
        doc_key = document_key(path)
        with self.engine.connect() as conn:
            checkpoint = load_checkpoint(conn, doc_key)
        if checkpoint is not None and checkpoint.done:
            outcome.already_done = True
        elif checkpoint is not None:
            outcome.resumed_from_line = checkpoint.line
            outcome.published = checkpoint.published
            outcome.dead_lettered = checkpoint.dead_lettered
        return outcome, doc_key, checkpoint

    def _commit(
        self,
        outcome: FileOutcome,
        doc_key: str,
        bodies: Sequence[tuple[str, bytes]],
        *,
        events: int,
        dead_rows: Sequence[dict[str, Any]],
        dead_locations: Sequence[str],
        offset: int,
        line: int,
        done: bool = False,
    ) -> None:
        """Publish ``bodies`` confirmed, then commit their dead letters and the position."""
        if bodies:
            with tracing.span(
                "crossdock.publish",
                kind="producer",
                attributes={
                    "messaging.batch.message_count": len(bodies),
                    "crossdock.events": events,
                },
            ):
                publish_confirmed(self.publisher, bodies, self.retry)
        if self.on_confirmed is not None:
            for _, body in bodies:
                self.on_confirmed(body)
        outcome.published += events
        outcome.dead_lettered += len(dead_rows)
        outcome.dead_letter_locations.extend(dead_locations)
        # dead letters and position commit together, after the broker confirmed
        with self._dead_letter_span(dead_rows), self.engine.begin() as conn:
            DeadLetterService.add_rows(conn, dead_rows)
            save_checkpoint(
                conn,
                doc_key,
                offset=offset,
                line=line,
                done=done,
                published=outcome.published,
                dead_lettered=outcome.dead_lettered,
            )

    @staticmethod
    def _dead_letter_span(dead_rows: Sequence[dict[str, Any]]) -> tracing.Span:
        """The dead-letter stage's span (none without letters): one event per letter, with
        the location and the id its event would have had."""
        if not dead_rows or not tracing.enabled():
            return tracing.NO_SPAN
        span = tracing.span(
            "crossdock.dead-letter", attributes={"crossdock.dead_letters": len(dead_rows)}
        )
        for row in dead_rows:
            span.add_event(
                "dead letter",
                {
                    "crossdock.location": str(row.get("location")),
                    "crossdock.stage": str(row.get("stage")),
                    "cloudevents.event_id": str(row.get("event_id") or ""),
                },
            )
        return span


class FilePipeline(_Durable):
    """Translate CSV documents through one mapping and publish the events, confirmed."""

    def __init__(
        self,
        *,
        fmt: CsvFormat,
        mapping: CompiledMapping,
        chunk_size: int = 10_000,
        workers: int | None = None,
        pool: WorkerPool | None = None,
        **settings: Unpack[_Settings],
    ) -> None:
        super().__init__(**settings)
        self.fmt = fmt
        self.mapping = mapping
        self.chunk_size = max(chunk_size, self.batch_size)
        #: translating processes: None decides by file size, 0 or 1 translates in this process
        self.workers = workers
        #: the hub's running workers; without one, a big file starts processes of its own
        self.pool = pool
        event_model(mapping.target_type, mapping.target_version)  # fail fast on an unknown target
        self.routing_key = routing_key(mapping.target_type, mapping.target_version)
        self.dataschema = dataschema_uri(mapping.target_type, mapping.target_version)
        self.mapping_ref = f"{mapping.id}@{mapping.version}"

    def process(self, path: Path) -> FileOutcome:
        """Translate and publish one file; return counts. Safe to call again after a crash."""
        started = time.perf_counter()
        outcome, doc_key, checkpoint = self._resume(path)
        if outcome.already_done:
            return outcome
        total = path.stat().st_size
        source = f"{self.source_uri}/{path.name}"
        with _FileTrace(self.connector, path, doc_key) as trace, path.open("rb") as fh:
            outcome.trace_id = trace.file.trace_id
            context, header_len = self.fmt.read_header(fh, str(path))
            start = (
                CsvPosition(checkpoint.offset, checkpoint.line)
                if checkpoint is not None
                else CsvPosition(header_len, 1)
            )
            fh.seek(start.offset)
            spec_file = str(self.mapping.file)
            jobs = (
                ChunkJob(
                    chunk=chunk,
                    spec_file=spec_file,
                    fmt=self.fmt,
                    context=context,
                    connector=self.connector,
                    source=source,
                    location_prefix=str(path),
                    doc_key=doc_key,
                    dataschema=self.dataschema,
                    batch_size=self.batch_size,
                    time=datetime.now(UTC),
                    **trace.chunk(chunk.start.line),
                )
                for chunk in split_rows(fh, start, self.chunk_size)
            )
            for job, result in self._translated(jobs, total):
                outcome.records += result.records
                end = job.chunk.end
                with trace.committed() as span:
                    span.set("crossdock.records", result.records)
                    self._commit(
                        outcome,
                        doc_key,
                        [(self.routing_key, b) for b in result.bodies],
                        events=result.published,
                        dead_rows=result.dead_rows,
                        dead_locations=result.dead_locations,
                        offset=end.offset,
                        line=end.line,
                    )
                if self.progress is not None:
                    self.progress(outcome.records, end.offset, total)
        self._commit(
            outcome,
            doc_key,
            [],
            events=0,
            dead_rows=[],
            dead_locations=[],
            offset=total,
            line=start.line + outcome.records,
            done=True,
        )
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _translated(
        self, jobs: Iterator[ChunkJob], total_bytes: int
    ) -> Iterator[tuple[ChunkJob, ChunkResult]]:
        """Results in file order; in worker processes when the file is big enough to pay."""
        workers = self.workers
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if total_bytes >= PARALLEL_FROM_BYTES else 0
        if workers <= 1:
            for job in jobs:
                yield job, translate_chunk(job)
            return
        if self.pool is not None:
            yield from self._in_pool(self.pool, jobs)
            return
        # no hub pool (a pipeline on its own): processes for this file only
        with WorkerPool(workers, [str(self.mapping.file)]) as pool:
            yield from self._in_pool(pool, jobs)

    @staticmethod
    def _in_pool(
        pool: WorkerPool, jobs: Iterator[ChunkJob]
    ) -> Iterator[tuple[ChunkJob, ChunkResult]]:
        # a bounded window of chunks in flight keeps memory flat however big the file is
        window: deque[tuple[ChunkJob, Future[ChunkResult]]] = deque()
        try:
            try:
                for job in jobs:
                    window.append((job, pool.submit(job)))
                    if len(window) > pool.size * 2:
                        done_job, future = window.popleft()
                        yield done_job, future.result()
            except RecordError:
                # the reader refused the rest (a record over its cap): the chunks cut before
                # it are translated and published first, as they are in one process
                while window:
                    done_job, future = window.popleft()
                    yield done_job, future.result()
                raise
            while window:
                done_job, future = window.popleft()
                yield done_job, future.result()
        finally:
            # a file that stopped early (a refused row, a lost broker) leaves no queued chunks
            # for the shared workers to translate before the next file's
            for _, future in window:
                future.cancel()


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
        """The oldest chunk's span, made current until its commit ends it."""
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
    """Events waiting for the next confirmed publish: one batch per spec (routing key)."""

    source: str
    time: datetime
    batches: dict[str, tuple[CompiledMapping, EventBatch]] = field(default_factory=dict)
    events: int = 0
    #: the span the events were made in (their CloudEvents traceparent); None: not traced
    traceparent: str | None = None
    tracestate: str | None = None

    def add(self, outcome: MessageOutcome) -> None:
        """Queue the events of one message."""
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


class DocumentPipeline(_Durable):
    """Translate documents message by message and publish their events, confirmed."""

    def __init__(
        self,
        *,
        mapper: DocumentMapper,
        fmt: DocumentFormat | None = None,
        **settings: Unpack[_Settings],
    ) -> None:
        super().__init__(**settings)
        self.mapper = mapper
        #: the format to read; None detects it from each file's first bytes
        self.fmt = fmt

    def process(self, path: Path) -> FileOutcome:
        """Translate and publish one document; return counts. Safe to call again after a crash."""
        started = time.perf_counter()
        outcome, doc_key, checkpoint = self._resume(path)
        if outcome.already_done:
            return outcome
        doc_id = doc_key.rsplit(":", 1)[1]
        done_before = checkpoint.line if checkpoint is not None else 0
        total = path.stat().st_size
        source = f"{self.source_uri}/{path.name}"
        letters: list[DeadLetter] = []
        position = 0
        with _FileTrace(self.connector, path, doc_key) as trace, path.open("rb") as fh:
            outcome.trace_id = trace.file.trace_id
            # a document's events carry its file span (messages are many and small)
            pending = PendingBatches(
                source,
                datetime.now(UTC),
                traceparent=trace.file.traceparent,
                tracestate=trace.file.tracestate,
            )
            fmt = self.fmt or document_formats.detect(document_formats.read_head(fh), str(path))
            fh.seek(0)
            try:
                for record in fmt.messages(fh, str(path)):
                    position += 1
                    if position <= done_before:
                        continue  # committed before a crash
                    with tracing.span("crossdock.map") as span:
                        result = self.mapper.translate(record, fmt, doc_id)
                        if tracing.enabled():
                            _message_attributes(span, result)
                    outcome.records += 1
                    outcome.ignored += result.ignored is not None
                    pending.add(result)
                    letters += self._letters(result, fmt, doc_key, doc_id, source, span=trace.file)
                    # bounded memory: many events, or many bad messages in a row
                    if pending.events >= self.batch_size or len(letters) >= self.batch_size:
                        self._commit_messages(pending, letters, outcome, doc_key, position)
                        letters = []
                        if self.progress is not None:
                            self.progress(outcome.records, fh.tell(), total)
            except RecordError:
                # keep what was read before the break, then refuse the rest of the file
                self._commit_messages(pending, letters, outcome, doc_key, position)
                raise
        if position == 0:
            # an envelope with nothing in it would otherwise end as 0 published, 0 dead letters
            raise RecordError(str(path), f"no {fmt.name} message in the document", raw=None)
        self._commit_messages(pending, letters, outcome, doc_key, position, done=True)
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _letters(
        self,
        result: MessageOutcome,
        fmt: DocumentFormat,
        doc_key: str,
        doc_id: str,
        source: str,
        *,
        span: tracing.Span,
    ) -> list[DeadLetter]:
        if not result.failures:
            return []
        record = result.record
        context = letter_context(record, fmt, doc_id)
        if span.traceparent is not None:  # the trace the letter's message was read in
            context = {**context, tracing.TRACEPARENT: span.traceparent}
        raw = record.data if not isinstance(record, RecordError) else (record.raw or b"")
        content_type = getattr(record, "content_type", "application/octet-stream")
        letters = []
        for failure in result.failures:
            mapping = failure.mapping
            where = result.where + (f", mapping {mapping.id}" if mapping else "")
            letters.append(
                DeadLetter(
                    connector=self.connector,
                    source=source,
                    source_key=doc_key,
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

    def _commit_messages(
        self,
        pending: PendingBatches,
        letters: list[DeadLetter],
        outcome: FileOutcome,
        doc_key: str,
        position: int,
        *,
        done: bool = False,
    ) -> None:
        # a message's position is its line in the checkpoint; a document has no byte offset
        events = pending.events
        now = datetime.now(UTC)
        self._commit(
            outcome,
            doc_key,
            pending.take(),
            events=events,
            dead_rows=[d.as_row(now) for d in letters],
            dead_locations=[d.location for d in letters],
            offset=0,
            line=position,
            done=done,
        )
