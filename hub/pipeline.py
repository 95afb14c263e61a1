"""The file pipeline: a document in, confirmed events out, every bad record a dead letter.

Order of durability, which is what makes a SIGKILL at any point lose nothing:

1. the file is cut into chunks of ``chunk_size`` whole rows; each chunk is parsed, mapped and
   validated (in worker processes for big files); good records go into batch messages, bad
   ones become dead-letter rows;
2. the chunk's batch messages are published and the publisher is flushed: the broker has
   confirmed every one of them;
3. then, in ONE database transaction, the chunk's dead letters and the new read position
   (checkpoint) are committed. Chunks are committed in file order.

A crash before (3) re-reads the chunk after restart: its events are published again with the
same deterministic ids (consumers drop the copies) and its dead letters, keyed by document and
location, are not stored twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from canonical import dataschema_uri, event_model
from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from hub.bus.confirmed import publish_confirmed
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.checkpoints import load_checkpoint, save_checkpoint
from hub.chunks import ChunkJob, ChunkResult, translate_chunk
from hub.deadletter.service import DeadLetterService
from hub.retry import RetryPolicy
from hub.worker_pool import WorkerPool
from mappings import CompiledMapping

#: files smaller than this are translated in-process: starting workers is not free
PARALLEL_FROM_BYTES = 8 << 20

__all__ = ["FileOutcome", "FilePipeline", "Progress", "document_key"]

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


def document_key(path: Path) -> str:
    """Identity of a document: name, size and sha256 of its bytes (not its path or mtime)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return f"{path.name}:{size}:{digest.hexdigest()}"


class FilePipeline:
    """Translate CSV documents through one mapping and publish the events, confirmed."""

    def __init__(
        self,
        *,
        connector: str,
        fmt: CsvFormat,
        mapping: CompiledMapping,
        publisher: ConfirmedPublisher,
        engine: Engine,
        source_uri: str = "crossdock:file",
        batch_size: int = 1000,
        chunk_size: int = 10_000,
        retry: RetryPolicy | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        self.connector = connector
        self.fmt = fmt
        self.mapping = mapping
        self.publisher = publisher
        self.engine = engine
        self.source_uri = source_uri
        self.batch_size = batch_size
        self.chunk_size = max(chunk_size, batch_size)
        self.retry = retry or RetryPolicy()
        self.progress = progress
        #: called with each batch body once the broker confirmed it (e.g. to show events)
        self.on_confirmed = on_confirmed
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
        outcome = FileOutcome(path)
        doc_key = document_key(path)
        with self.engine.connect() as conn:
            checkpoint = load_checkpoint(conn, doc_key)
        if checkpoint is not None and checkpoint.done:
            outcome.already_done = True
            return outcome
        if checkpoint is not None:
            outcome.resumed_from_line = checkpoint.line
            outcome.published = checkpoint.published
            outcome.dead_lettered = checkpoint.dead_lettered
        total = path.stat().st_size
        source = f"{self.source_uri}/{path.name}"
        with path.open("rb") as fh:
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
                )
                for chunk in split_rows(fh, start, self.chunk_size)
            )
            for job, result in self._translated(jobs, total):
                publish_confirmed(
                    self.publisher, [(self.routing_key, b) for b in result.bodies], self.retry
                )
                if self.on_confirmed is not None:
                    for body in result.bodies:
                        self.on_confirmed(body)
                outcome.records += result.records
                outcome.published += result.published
                outcome.dead_lettered += len(result.dead_rows)
                outcome.dead_letter_locations.extend(result.dead_locations)
                end = job.chunk.end
                # dead letters and position commit together, after the broker confirmed
                with self.engine.begin() as conn:
                    DeadLetterService.add_rows(conn, result.dead_rows)
                    save_checkpoint(
                        conn,
                        doc_key,
                        offset=end.offset,
                        line=end.line,
                        published=outcome.published,
                        dead_lettered=outcome.dead_lettered,
                    )
                if self.progress is not None:
                    self.progress(outcome.records, end.offset, total)
        with self.engine.begin() as conn:
            save_checkpoint(
                conn,
                doc_key,
                offset=total,
                line=start.line + outcome.records,
                done=True,
                published=outcome.published,
                dead_lettered=outcome.dead_lettered,
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
