"""The one runner: read, map, publish durably, dead-letter what fails, then checkpoint.

Every source runs here: the SDK's connectors (``crossdock connector read``, the hub's poller)
and the hub's local inbox (the ``file`` transport, :mod:`hub.file_source`). A record takes
these stages, each in one place:

1. **read** — ``source.read(state)`` yields records, record errors, translated batches and
   checkpoints, from where the state says;
2. **map** — a record goes through ``source.to_events`` (a source with mapping specs calls the
   one translate step, :mod:`connectors.sdk.translate`); a failure the decision table calls
   ``DEAD_LETTER`` becomes a :class:`DeadLetter` naming its mapping and event id. A format with
   a bulk path of its own (CSV's chunks in worker processes, a document's messages) hands over
   a :class:`~connectors.sdk.translated.TranslatedBatch` instead, already mapped;
3. **publish** — at each checkpoint the pending events (and batch messages) are published and
   confirmed by the broker;
4. **dead-letter** — then the pending dead letters are stored;
5. **checkpoint** — then the advanced state is handed to ``on_checkpoint`` (which stores it),
   and the run so far to ``on_progress``.

The order is what makes a resume lose nothing and repeat nothing: the records a checkpoint
covers are durable before its state is. A retryable failure re-reads from the last checkpoint,
dropping what was not yet durable; a crash re-reads the same way after a restart (the same
deterministic event ids, so consumers drop copies; dead letters are keyed, so none is stored
twice).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from canonical import Envelope
from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.sdk import tracing
from connectors.sdk.bus import EventBus
from connectors.sdk.connector import Event, Sink, Source, WriteReport
from connectors.sdk.deadletter import DeadLetter, plain_context
from connectors.sdk.decisions import SDK_TABLE, Action, RetryTable
from connectors.sdk.retry import RetryPolicy, counting_retries, retrying
from connectors.sdk.state import Checkpoint, State
from connectors.sdk.translate import event_id
from connectors.sdk.translated import TranslatedBatch
from mappings import MappingError

__all__ = ["RunOutcome", "deliver", "run_source"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RunOutcome:
    """What one run of a source did."""

    state: State
    records: int = 0
    published: int = 0
    dead_lettered: int = 0
    #: retried calls of the read: the source's own (a client waiting out a 429) and the
    #: runner's (a re-read from the last checkpoint)
    retries: int = 0
    checkpoints: int = 0
    dead_letter_locations: list[str] = field(default_factory=list)
    #: the run ended at a checkpoint because it was asked to stop, before the source's end
    stopped: bool = False
    #: records carrying no business event (a 997, a till sign-on): counted, not published
    ignored: int = 0


class _Run:
    """One run's pending (not yet durable) work and its outcome."""

    def __init__(
        self,
        source: Source[Any],
        bus: EventBus,
        policy: RetryPolicy,
        outcome: RunOutcome,
        on_checkpoint: Callable[[State], None] | None,
        *,
        name: str | None = None,
        stop: Callable[[], bool] | None = None,
        on_progress: Callable[[RunOutcome], None] | None = None,
    ) -> None:
        self.source, self.bus, self.policy = source, bus, policy
        #: who the dead letters name: the configured instance, else the connector
        self.name = name or source.name
        self.outcome, self.on_checkpoint = outcome, on_checkpoint
        self.on_progress = on_progress
        self.stop = stop
        self.events: list[Envelope[Any]] = []
        self.dead: list[DeadLetter] = []
        self.batches: list[TranslatedBatch] = []
        self.records = 0

    def attempt(self) -> None:
        """Read from the last checkpoint to the end."""
        # what was not durable when the last attempt failed is read again from the state
        self.events, self.dead, self.batches, self.records = [], [], [], 0
        items = self.source.read(self.outcome.state)
        try:
            for item in items:
                if isinstance(item, Checkpoint):
                    self.checkpoint(item)
                    if self.stop is not None and self.stop():
                        # everything read so far is durable and its state saved: a clean
                        # place to end, and the next run resumes right here
                        self.outcome.stopped = True
                        return
                elif isinstance(item, TranslatedBatch):
                    self.batches.append(item)
                elif isinstance(item, RecordError):
                    self.records += 1
                    self.dead.append(self.letter(item, item.raw or b"", item.location, "read"))
                else:
                    self.records += 1
                    self.map(item)
        finally:
            # a read left early (stopped, or a failure) lets go of what it holds at once: an
            # open file, a worker pool's queued chunks
            close = getattr(items, "close", None)
            if close is not None:
                close()
        if self.events or self.dead or self.batches or self.records:
            log.warning("%s: records after the last checkpoint are read again on resume", self.name)
            self.flush()

    def checkpoint(self, item: Checkpoint) -> None:
        """Make what it covers durable, then advance and store the state."""
        self.flush()
        out = self.outcome
        out.state = out.state.advance(item)
        out.checkpoints += 1
        if self.on_checkpoint is not None:
            self.on_checkpoint(out.state)
        if self.on_progress is not None:
            self.on_progress(out)

    def map(self, record: RawRecord) -> None:
        try:
            self.events.extend(self.source.to_events(record))
        except Exception as exc:
            if self.policy.table.decide(exc).action is not Action.DEAD_LETTER:
                raise
            where = self.source.dead_letter_location(record)
            letter = self.letter(exc, record.data, where, "map", record)
            self.dead.append(letter)

    def letter(
        self,
        exc: BaseException,
        raw: bytes,
        location: str,
        stage: str,
        record: RawRecord | None = None,
    ) -> DeadLetter:
        """The dead letter of one record, naming its mapping and the id its event would have
        had, and keeping its origin and its plain context for replay."""
        letter = DeadLetter(
            connector=self.name,
            source=record.source if record is not None else self.name,
            location=location,
            stage=stage,
            error=exc,
            decision=self.policy.table.decide(exc),
            payload=raw,
            content_type=record.content_type if record is not None else "application/octet-stream",
            source_key=f"{self.name}:{location}",
        )
        if record is None:
            return letter
        origin = self.source.origin(record)
        letter.context = {**plain_context(record.context), "origin": list(origin)}
        mappings = self.source.mappings(record)
        failed = [
            m
            for m in mappings
            if not isinstance(exc, MappingError)
            or (m.id, m.version) == (exc.spec_id, exc.spec_version)
        ]
        if len(failed) == 1:
            mapping = failed[0]
            letter.mapping_id, letter.mapping_version = mapping.id, mapping.version
            letter.event_type = mapping.target_type
            if not mapping.splits:
                letter.event_id = event_id(origin, mapping.ref)
        return letter

    def flush(self) -> None:
        """Make pending events and dead letters durable (published, then stored), then count
        them."""
        batches = self.batches
        messages = [m for b in batches for m in b.messages]
        rows = [r for b in batches for r in b.dead_rows]
        events = len(self.events) + sum(b.events for b in batches)
        if self.events or messages:
            with tracing.span(
                "crossdock.publish",
                kind="producer",
                attributes={
                    "messaging.batch.message_count": len(messages) + len(self.events),
                    "crossdock.events": events,
                },
            ):
                if self.events:
                    self.bus.publish(tracing.stamped(self.events))
                if messages:
                    self.bus.publish_messages(messages)
        if self.dead or rows:
            with _dead_letter_span(self.dead, rows):
                if self.dead:
                    self.bus.dead_letter(self.dead)
                if rows:
                    self.bus.dead_letter_rows(rows)
        out = self.outcome
        out.records += self.records + sum(b.records for b in batches)
        out.published += events
        out.dead_lettered += len(self.dead) + len(rows)
        out.ignored += sum(b.ignored for b in batches)
        out.dead_letter_locations.extend(d.location for d in self.dead)
        out.dead_letter_locations.extend(str(r["location"]) for r in rows)
        self.events, self.dead, self.batches, self.records = [], [], [], 0

    def count_retry(self, _exc: BaseException, _attempt_no: int) -> None:
        """Every retried call of the read, the source's own (a 429 its client waited out) and
        the runner's (a re-read from the last checkpoint)."""
        self.outcome.retries += 1

    def on_retry(self, exc: BaseException, attempt_no: int) -> None:
        log.warning(
            "%s: attempt %d failed, re-reading from the last checkpoint: %s",
            self.name,
            attempt_no,
            exc,
        )


def _dead_letter_span(
    letters: Sequence[DeadLetter], rows: Sequence[dict[str, Any]]
) -> tracing.Span:
    """The dead-letter stage's span: one event per letter, with its location, its stage and
    the id its event would have had."""
    if not tracing.enabled():
        return tracing.NO_SPAN
    found: list[tuple[object, object, object]] = [
        (d.location, d.stage, d.event_id) for d in letters
    ]
    found += [(r.get("location"), r.get("stage"), r.get("event_id")) for r in rows]
    span = tracing.span("crossdock.dead-letter", attributes={"crossdock.dead_letters": len(found)})
    for location, stage, would_be in found:
        span.add_event(
            "dead letter",
            {
                "crossdock.location": str(location),
                "crossdock.stage": str(stage),
                "cloudevents.event_id": str(would_be or ""),
            },
        )
    return span


def run_source(
    source: Source[Any],
    bus: EventBus,
    state: State | None = None,
    *,
    table: RetryTable = SDK_TABLE,
    policy: RetryPolicy | None = None,
    on_checkpoint: Callable[[State], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    name: str | None = None,
    stop: Callable[[], bool] | None = None,
    on_progress: Callable[[RunOutcome], None] | None = None,
) -> RunOutcome:
    """Read ``source`` to the end from ``state``; return counts and the final state.

    ``table`` is the hub's decision table (the connector's ``error_rows`` go on top of it); a
    failure it does not call retryable is raised after the first attempt, unchanged. ``name``
    (the configured instance) is what dead letters name; the connector's name by default.
    ``stop`` is asked after each checkpoint: when it says so, the run ends there
    (``outcome.stopped``), so a hub shutting down need not wait for a long read's end.
    ``on_progress`` is called after each checkpoint with the run so far (its state and
    counts): a store that keeps counts beside the position, a progress bar.
    """
    run = _Run(
        source,
        bus,
        policy or source.policy(table),
        RunOutcome(state or State()),
        on_checkpoint,
        name=name,
        stop=stop,
        on_progress=on_progress,
    )
    with (
        tracing.span("crossdock.read", attributes={"crossdock.connector": name or source.name}),
        counting_retries(run.count_retry),
    ):
        retrying(
            run.policy,
            run.attempt,
            on_retry=run.on_retry,
            refresh_auth=source.refresh_auth,
            sleep=sleep,
        )
    return run.outcome


def deliver(
    sink: Sink[Any],
    events: Sequence[Event],
    bus: EventBus,
    *,
    table: RetryTable = SDK_TABLE,
    policy: RetryPolicy | None = None,
    on_retry: Callable[[BaseException, int], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    name: str | None = None,
) -> WriteReport:
    """Write ``events`` through ``sink``, retrying what the table calls retryable.

    Events the peer refused for good are dead-lettered (stage ``write``) with their JSON,
    naming ``name`` (the configured instance; the connector's name by default).
    """
    policy = policy or sink.policy(table)
    who = name or sink.name
    report = retrying(
        policy,
        lambda: sink.write(events),
        on_retry=on_retry,
        refresh_auth=sink.refresh_auth,
        sleep=sleep,
    )
    if report.rejected:
        by_id = {str(e.get("id")): e for e in events}
        bus.dead_letter(
            [
                DeadLetter(
                    connector=who,
                    source=str(by_id.get(err.location, {}).get("source", who)),
                    location=err.location,
                    stage="write",
                    error=err,
                    decision=policy.table.decide(err),
                    payload=err.raw
                    or json.dumps(by_id.get(err.location, {}), default=str).encode(),
                    content_type="application/cloudevents+json",
                    source_key=f"{who}:{err.location}",
                )
                for err in report.rejected
            ]
        )
    return report
