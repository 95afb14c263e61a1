"""CSV's bulk path in the file source, per chunk: parse, map, validate, serialise (any process).

A :class:`ChunkJob` carries everything needed (plain, picklable data; the mapping is compiled
again from its spec file once per process), so the same function runs inline or in worker
processes. Records are independent, which is what lets a 2-core machine translate two chunks
at once while the reading process only cuts rows and publishes.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic

from canonical import event_model
from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, RowChunk
from connectors.formats.limits import DEFAULT_LIMITS, ReadLimits, set_read_limits
from connectors.sdk.deadletter import DeadLetter
from connectors.sdk.decisions import SDK_TABLE
from connectors.sdk.tracing import TRACEPARENT
from connectors.sdk.translate import event_ids
from hub.batch import EventBatch
from hub.startup_heap import freeze_startup_heap
from mappings import CompiledMapping, compile_spec, load_spec

__all__ = [
    "ChunkJob",
    "ChunkPhases",
    "ChunkResult",
    "exit_with_parent",
    "prepare_worker",
    "translate_chunk",
    "worker_ready",
]


@dataclass(frozen=True, slots=True)
class ChunkJob:
    """One chunk of rows and the context to translate it."""

    chunk: RowChunk
    spec_file: str
    fmt: CsvFormat
    context: dict[str, Any]
    connector: str
    source: str
    location_prefix: str
    doc_key: str
    dataschema: str
    batch_size: int
    time: datetime
    #: the chunk's span (W3C Trace Context), carried by its events and dead letters; None
    #: when tracing is off (a worker process records no span itself)
    traceparent: str | None = None
    tracestate: str | None = None
    #: bodies as JSON lines (each event, then a line break) instead of JSON arrays: what
    #: ``crossdock translate`` writes, with no event split out again in the reading process
    json_lines: bool = False


@dataclass(frozen=True, slots=True)
class ChunkPhases:
    """How a traced chunk spent its time, measured where it was translated (a worker records
    no span itself: the reading process makes the spans from this). Rows interleave the
    stages, so each figure is the stage's total over the chunk's rows, in ns."""

    #: when translating the chunk began, ns since the epoch
    started: int
    read: int
    map: int
    validate: int
    #: dead letters by stage (decode, mapping, validation)
    failures: dict[str, int]


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one chunk produced: batch bodies to publish, dead-letter rows to store."""

    bodies: list[bytes]
    published: int
    dead_rows: list[dict[str, Any]]
    dead_locations: list[str]
    records: int
    #: the stages' times when the chunk is traced (its job has a traceparent), else None
    phases: ChunkPhases | None = None


class _Stage:
    """One stage's nanoseconds in a traced chunk."""

    __slots__ = ("ns",)

    def __init__(self) -> None:
        self.ns = 0

    def timing(self, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``fn``, its calls' time added to this stage."""
        clock = time.perf_counter_ns

        def timed(arg: Any) -> Any:
            began = clock()
            try:
                return fn(arg)
            finally:
                self.ns += clock() - began

        return timed


class _PhaseClock:
    """Times the stages of a traced chunk by wrapping each stage's function once a chunk, so
    the per-row loop is the same code traced or not and costs nothing more while off."""

    __slots__ = ("map", "read", "started", "validate")

    def __init__(self) -> None:
        self.started = time.time_ns()
        self.read, self.map, self.validate = _Stage(), _Stage(), _Stage()

    def rows(self, rows: Iterable[Any]) -> Iterator[Any]:
        """``rows`` as they are parsed, the parsing timed as the read stage."""
        clock = time.perf_counter_ns
        read = self.read
        it = iter(rows)
        while True:
            began = clock()
            try:
                item = next(it)
            except StopIteration:
                read.ns += clock() - began
                return
            read.ns += clock() - began
            yield item

    def phases(self, dead: Sequence[DeadLetter]) -> ChunkPhases:
        failures: dict[str, int] = {}
        for letter in dead:
            failures[letter.stage] = failures.get(letter.stage, 0) + 1
        return ChunkPhases(self.started, self.read.ns, self.map.ns, self.validate.ns, failures)


@functools.cache
def _mapping(spec_file: str) -> CompiledMapping:
    return compile_spec(load_spec(Path(spec_file)))


@functools.cache
def _validator(spec_file: str) -> Callable[[Any], Any]:
    """The target model's validator for this spec's output, decided once per process.

    The validator itself: model_validate adds a Python call per row and nothing else. Extra
    keys are ignored only where the spec provably emits none (0.7 µs an event less).
    """
    mapping = _mapping(spec_file)
    model = event_model(mapping.target_type, mapping.target_version)
    return functools.partial(
        model.__pydantic_validator__.validate_python,
        extra="ignore" if mapping.emits_only_fields_of(model) else None,
    )


def translate_chunk(job: ChunkJob) -> ChunkResult:
    """Translate every row of ``job.chunk``; bad rows become dead-letter rows, never raise."""
    mapping = _mapping(job.spec_file)
    validate = _validator(job.spec_file)
    # traced: the stages timed for the chunk's spans (see ChunkPhases), never a span per row
    clock = _PhaseClock() if job.traceparent is not None else None
    doc_id = job.doc_key.rsplit(":", 1)[1]
    # the one event-id rule (connectors.sdk.translate), its shared parts hashed once a chunk
    # (the bound method: calling the series itself goes through its type's __call__ slot)
    id_for_line = event_ids(doc_id, mapping.ref).__call__
    now = datetime.now(UTC)
    bodies: list[bytes] = []
    dead: list[DeadLetter] = []
    published = records = 0
    # a dead letter names the trace it failed in, as the chunk's events carry it
    trace = {TRACEPARENT: job.traceparent} if job.traceparent is not None else {}

    envelope = EventBatch(
        source=job.source,
        event_type=mapping.target_type,
        version=mapping.target_version,
        dataschema=job.dataschema,
        time=job.time,
        traceparent=job.traceparent,
        tracestate=job.tracestate,
    )
    # the validator makes instances of exactly the mapping's target model
    encode = envelope.encoder(event_model(mapping.target_type, mapping.target_version))
    join = envelope.lines if job.json_lines else envelope.join
    parts: list[bytes] = []

    def letter(exc: Exception, stage: str, location: str, line: int | None, raw: bytes) -> None:
        dead.append(
            DeadLetter(
                connector=job.connector,
                source=job.source,
                source_key=job.doc_key,
                location=location,
                stage=stage,
                error=exc,
                # the SDK's rows, not hub.retry's superset: a worker meets only record errors,
                # which both decide alike (a test holds them), and hub.retry would cost each
                # worker SQLAlchemy's import
                decision=SDK_TABLE.decide(exc),
                payload=raw,
                content_type="text/csv",
                # the row's origin (document, line) gives its id through any mapping version
                context={**job.context, "origin": [doc_id, str(line or 0)], **trace},
                mapping_id=mapping.id,
                mapping_version=mapping.version,
                event_type=mapping.target_type,
                event_id=None if line is None else id_for_line(str(line)),
            )
        )

    # rows as field lists where the spec allows it: no dict is built per row
    map_row = mapping.row_function(job.context["names"])
    map_record: Callable[[Any], dict[str, Any]] = (
        mapping.record_function if map_row is None else map_row
    )
    rows = job.fmt.chunk_rows(
        job.chunk, job.location_prefix, job.context, lists=map_row is not None
    )
    if clock is not None:
        map_record, validate = clock.map.timing(map_record), clock.validate.timing(validate)
    for line, fields in rows if clock is None else clock.rows(rows):
        records += 1
        if isinstance(fields, RecordError):
            letter(fields, "decode", fields.location, line, fields.raw or b"")
            continue
        try:
            data = validate(map_record(fields))
        except Exception as exc:
            # (a spec function meeting input it never expected included): never the chunk's
            stage = "validation" if isinstance(exc, pydantic.ValidationError) else "mapping"
            letter(exc, stage, rows.location(line), line, rows.raw(line))
            continue
        parts.append(encode(id_for_line(str(line)), data))
        if len(parts) >= job.batch_size:
            bodies.append(join(parts))
            published += len(parts)
            parts = []
    if parts:
        bodies.append(join(parts))
        published += len(parts)
    result = ChunkResult(
        bodies=bodies,
        published=published,
        dead_rows=[d.as_row(now) for d in dead],
        dead_locations=[d.location for d in dead],
        records=records,
        phases=None if clock is None else clock.phases(dead),
    )
    # a letter's exception holds its traceback, which holds this frame and so ``dead``: a
    # cycle that kept the whole chunk (its text, rows and bodies) until the next full
    # collection, rare in a long loop (a worker grew from 68 to 197 MB over a 1M-row file);
    # emptied, the frame is freed on return
    dead.clear()
    return result


def exit_with_parent(parent: int, poll_seconds: float = 0.5) -> None:
    """Worker initializer: end this worker when the process that started it is gone.

    A SIGKILLed pipeline cannot shut its pool down; without this its idle workers would wait
    on their queue forever (each sibling keeps the queue's pipe open, so no EOF arrives).
    ``parent`` is the starting process's pid, passed in: read here, after the worker's imports,
    it would already be 1 for a parent killed during them, and the worker would never leave.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def prepare_worker(
    spec_files: Sequence[str], parent: int, limits: ReadLimits = DEFAULT_LIMITS
) -> None:
    """Worker initializer: exit with the parent, apply the hub's read limits, compile the
    mappings, then freeze the heap.

    Ctrl-C reaches the whole process group: the hub owns shutdown, so a worker ignores SIGINT
    instead of dying with a traceback on an idle hub.

    Freezing moves everything imported so far out of the collector's reach: the bulk loop
    allocates enough to trigger collections all the time, and each full one would otherwise
    walk the whole import-time heap again (worth 1-2 µs a row here); the hub's thresholds
    (:data:`~hub.startup_heap.COLLECT_EVERY`) then make collections rarer.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent)
    set_read_limits(limits)
    for spec_file in spec_files:
        _validator(spec_file)  # compiles the mapping and builds its model's validator
    freeze_startup_heap()


def worker_ready(pause: float) -> int:
    """A task that only proves a worker has started; it holds the worker for ``pause`` s."""
    time.sleep(pause)
    return os.getpid()
