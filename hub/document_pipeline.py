"""The inbox pipeline for documents: every message mapped, events confirmed, bad ones dead letters.

The same order of durability as the CSV pipeline (:mod:`hub.pipeline`), message by message
instead of row by row:

1. messages are read in document order and translated (:class:`~hub.documents.DocumentMapper`);
   events go into one batch message per spec (one routing key each), failures become
   dead-letter rows carrying the message's bytes, the reason and what replay needs;
2. every ``batch_size`` events (and at the end), all batches are published and the broker
   confirms them;
3. then the dead letters and the checkpoint (messages done) commit in one transaction.

A crash re-reads the document and skips the messages already committed; those after it are
published again with the same ids (consumers drop the copies). A document that breaks half way
(malformed XML, a broken envelope) keeps what was read before the break: it is published and
committed, then the error is raised so the file is refused as a whole from there on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from canonical import dataschema_uri
from connectors.errors import RecordError
from connectors.formats import registry as document_formats
from connectors.formats.document import DocumentFormat
from connectors.sdk.deadletter import DeadLetter
from hub.batch import EventBatch
from hub.bus.confirmed import publish_confirmed
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.checkpoints import load_checkpoint, save_checkpoint
from hub.deadletter.service import DeadLetterService
from hub.documents import DocumentMapper, MessageOutcome, letter_context
from hub.pipeline import FileOutcome, Progress, document_key
from hub.retry import DEFAULT_TABLE, RetryPolicy
from mappings import CompiledMapping

__all__ = ["DocumentPipeline", "PendingBatches"]

log = logging.getLogger(__name__)


@dataclass
class PendingBatches:
    """Events waiting for the next confirmed publish: one batch per spec (routing key)."""

    source: str
    time: datetime
    batches: dict[str, tuple[CompiledMapping, EventBatch]] = field(default_factory=dict)
    events: int = 0

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


class DocumentPipeline:
    """Translate documents message by message and publish their events, confirmed."""

    def __init__(
        self,
        *,
        connector: str,
        mapper: DocumentMapper,
        publisher: ConfirmedPublisher,
        engine: Engine,
        fmt: DocumentFormat | None = None,
        source_uri: str = "crossdock:file",
        batch_size: int = 1000,
        retry: RetryPolicy | None = None,
        progress: Progress | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
    ) -> None:
        self.connector = connector
        self.mapper = mapper
        self.publisher = publisher
        self.engine = engine
        #: the format to read; None detects it from each file's first bytes
        self.fmt = fmt
        self.source_uri = source_uri
        self.batch_size = batch_size
        self.retry = retry or RetryPolicy()
        self.progress = progress
        self.on_confirmed = on_confirmed

    def process(self, path: Path) -> FileOutcome:
        """Translate and publish one document; return counts. Safe to call again after a crash."""
        started = time.perf_counter()
        outcome = FileOutcome(path)
        doc_key = document_key(path)
        doc_id = doc_key.rsplit(":", 1)[1]
        with self.engine.connect() as conn:
            checkpoint = load_checkpoint(conn, doc_key)
        if checkpoint is not None and checkpoint.done:
            outcome.already_done = True
            return outcome
        done_before = 0
        if checkpoint is not None:
            done_before = outcome.resumed_from_line = checkpoint.line
            outcome.published = checkpoint.published
            outcome.dead_lettered = checkpoint.dead_lettered
        total = path.stat().st_size
        source = f"{self.source_uri}/{path.name}"
        pending = PendingBatches(source, datetime.now(UTC))
        letters: list[DeadLetter] = []
        position = 0
        with path.open("rb") as fh:
            fmt = self.fmt or document_formats.detect(document_formats.read_head(fh), str(path))
            fh.seek(0)
            try:
                for record in fmt.messages(fh, str(path)):
                    position += 1
                    if position <= done_before:
                        continue  # committed before a crash
                    result = self.mapper.translate(record, fmt, doc_id)
                    outcome.records += 1
                    outcome.ignored += result.ignored is not None
                    pending.add(result)
                    letters += self._letters(result, fmt, doc_key, doc_id, source)
                    # bounded memory: many events, or many bad messages in a row
                    if pending.events >= self.batch_size or len(letters) >= self.batch_size:
                        self._commit(pending, letters, outcome, doc_key, position)
                        letters = []
                        if self.progress is not None:
                            self.progress(outcome.records, fh.tell(), total)
            except RecordError:
                # keep what was read before the break, then refuse the rest of the file
                self._commit(pending, letters, outcome, doc_key, position)
                raise
        if position == 0:
            # an envelope with nothing in it would otherwise end as 0 published, 0 dead letters
            raise RecordError(str(path), f"no {fmt.name} message in the document", raw=None)
        self._commit(pending, letters, outcome, doc_key, position, done=True)
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _letters(
        self, result: MessageOutcome, fmt: DocumentFormat, doc_key: str, doc_id: str, source: str
    ) -> list[DeadLetter]:
        if not result.failures:
            return []
        record = result.record
        context = letter_context(record, fmt, doc_id)
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

    def _commit(
        self,
        pending: PendingBatches,
        letters: list[DeadLetter],
        outcome: FileOutcome,
        doc_key: str,
        position: int,
        *,
        done: bool = False,
    ) -> None:
        events = pending.events
        bodies = pending.take()
        publish_confirmed(self.publisher, bodies, self.retry)
        if self.on_confirmed is not None:
            for _, body in bodies:
                self.on_confirmed(body)
        outcome.published += events
        outcome.dead_lettered += len(letters)
        outcome.dead_letter_locations += [d.location for d in letters]
        # dead letters and position commit together, after the broker confirmed
        with self.engine.begin() as conn:
            DeadLetterService.add_many(conn, letters)
            save_checkpoint(
                conn,
                doc_key,
                offset=0,
                line=position,
                done=done,
                published=outcome.published,
                dead_lettered=outcome.dead_lettered,
            )
