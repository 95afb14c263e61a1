"""The file pipeline: a document in, confirmed events out, every bad record a dead letter.

Order of durability, which is what makes a SIGKILL at any point lose nothing:

1. records are read, mapped and validated; good ones go into batch messages, bad ones are
   kept in memory as pending dead letters;
2. every ``chunk_size`` records the publisher is flushed: the broker has confirmed every batch;
3. then, in ONE database transaction, the chunk's dead letters and the new read position
   (checkpoint) are committed.

A crash before (3) re-reads the chunk after restart: its events are published again with the
same deterministic ids (consumers drop the copies) and its dead letters, keyed by document and
location, are not stored twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pydantic
from sqlalchemy import Engine

from canonical import dataschema_uri, event_model, make_event_id
from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, CsvPosition
from connectors.record import RawRecord
from hub.batch import BATCH_CONTENT_TYPE, EventBatch
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.checkpoints import load_checkpoint, save_checkpoint
from hub.deadletter.store import DeadLetter, DeadLetterStore
from hub.errors import BusError
from hub.retry import RetryPolicy, retrying
from mappings import CompiledMapping, MappingError

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
        self.model = event_model(mapping.target_type, mapping.target_version)
        self.routing_key = routing_key(mapping.target_type, mapping.target_version)
        self.dataschema = dataschema_uri(mapping.target_type, mapping.target_version)
        self.mapping_ref = f"{mapping.id}@{mapping.version}"

    def process(self, path: Path) -> FileOutcome:  # noqa: PLR0915 - one hot loop, one frame
        """Translate and publish one file; return counts. Safe to call again after a crash."""
        started = time.perf_counter()
        outcome = FileOutcome(path)
        doc_key = document_key(path)
        doc_id = doc_key.rsplit(":", 1)[1]
        with self.engine.connect() as conn:
            checkpoint = load_checkpoint(conn, doc_key)
        resume = None
        if checkpoint is not None:
            if checkpoint.done:
                outcome.already_done = True
                return outcome
            resume = CsvPosition(checkpoint.offset, checkpoint.line)
            outcome.resumed_from_line = checkpoint.line
            outcome.published = checkpoint.published
            outcome.dead_lettered = checkpoint.dead_lettered
        total = path.stat().st_size
        source = f"{self.source_uri}/{path.name}"
        mapping, model, mapping_ref = self.mapping, self.model, self.mapping_ref
        validate = model.model_validate

        pending_bodies: list[bytes] = []
        pending_dead: list[DeadLetter] = []
        broken = False
        batch = self._new_batch(source)
        in_chunk = 0
        position = resume or CsvPosition(0, 1)

        def send(body: bytes) -> None:
            nonlocal broken
            pending_bodies.append(body)
            if broken:
                return
            try:
                self.publisher.publish(
                    body, routing_key=self.routing_key, content_type=BATCH_CONTENT_TYPE
                )
            except BusError as exc:
                log.warning("publish failed, will retry the chunk: %s", exc)
                broken = True

        def commit(done: bool) -> None:
            nonlocal broken, batch, in_chunk
            if len(batch):
                send(batch.body())
                outcome.published += len(batch)
                batch = self._new_batch(source)
            self._confirm(pending_bodies, already_broken=broken)
            broken = False
            with self.engine.begin() as conn:
                DeadLetterStore.add_many(conn, pending_dead)
                save_checkpoint(
                    conn,
                    doc_key,
                    offset=position.offset,
                    line=position.line,
                    done=done,
                    published=outcome.published,
                    dead_lettered=outcome.dead_lettered,
                )
            pending_bodies.clear()
            pending_dead.clear()
            in_chunk = 0
            if self.progress is not None:
                self.progress(outcome.records, position.offset, total)

        rows = self.fmt.read_with_positions(path, source=str(path), resume=resume)
        for item, position in rows:  # noqa: B007 - commit() reads position
            outcome.records += 1
            in_chunk += 1
            if isinstance(item, RawRecord):
                try:
                    data = validate(mapping(item.fields))
                except (MappingError, pydantic.ValidationError) as exc:
                    stage = "mapping" if isinstance(exc, MappingError) else "validation"
                    pending_dead.append(self._dead(exc, stage, item, source, doc_key))
                    outcome.dead_lettered += 1
                    outcome.dead_letter_locations.append(item.location)
                else:
                    batch.add(make_event_id(doc_id, str(item.line), mapping_ref), data, item.line)
                    if len(batch) >= self.batch_size:
                        send(batch.body())
                        outcome.published += len(batch)
                        batch = self._new_batch(source)
            else:
                pending_dead.append(self._dead_record(item, source, doc_key))
                outcome.dead_lettered += 1
                outcome.dead_letter_locations.append(item.location)
            if in_chunk >= self.chunk_size:
                commit(done=False)
        commit(done=True)
        outcome.seconds = time.perf_counter() - started
        return outcome

    # -- helpers ----------------------------------------------------------------------------
    def _new_batch(self, source: str) -> EventBatch:
        return EventBatch(
            source=source,
            event_type=self.mapping.target_type,
            version=self.mapping.target_version,
            dataschema=self.dataschema,
            time=datetime.now(UTC),
        )

    def _confirm(self, bodies: list[bytes], *, already_broken: bool) -> None:
        """Make every body of the chunk confirmed, re-sending all of them after a failure."""

        def resend() -> None:
            self.publisher.close()
            for body in bodies:
                self.publisher.publish(
                    body, routing_key=self.routing_key, content_type=BATCH_CONTENT_TYPE
                )
            self.publisher.flush()

        if not already_broken:
            try:
                self.publisher.flush()
                return
            except BusError as exc:
                log.warning("confirm failed, re-sending %d batch messages: %s", len(bodies), exc)
        retrying(
            self.retry,
            resend,
            on_retry=lambda exc, n: log.warning("publish attempt %d failed: %s", n, exc),
        )

    def _dead(
        self, exc: Exception, stage: str, record: RawRecord, source: str, doc_key: str
    ) -> DeadLetter:
        return DeadLetter(
            connector=self.connector,
            source=source,
            source_key=doc_key,
            location=record.location,
            stage=stage,
            error=exc,
            decision=self.retry.table.decide(exc),
            payload=record.data,
            content_type=record.content_type,
            context=record.context,
            mapping_id=self.mapping.id,
            mapping_version=self.mapping.version,
            event_type=self.mapping.target_type,
            event_id=make_event_id(doc_key.rsplit(":", 1)[1], str(record.line), self.mapping_ref),
        )

    def _dead_record(self, err: RecordError, source: str, doc_key: str) -> DeadLetter:
        return DeadLetter(
            connector=self.connector,
            source=source,
            source_key=doc_key,
            location=err.location,
            stage="decode",
            error=err,
            decision=self.retry.table.decide(err),
            payload=err.raw or b"",
            content_type="text/csv",
            context=err.context,
            mapping_id=self.mapping.id,
            mapping_version=self.mapping.version,
            event_type=self.mapping.target_type,
            event_id=None
            if err.line is None
            else make_event_id(doc_key.rsplit(":", 1)[1], str(err.line), self.mapping_ref),
        )
