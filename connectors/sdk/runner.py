"""Running a source: read, map, publish durably, dead-letter what fails, then checkpoint.

The order is what makes a resume lose nothing and repeat nothing: the records a checkpoint
covers are published (confirmed) and their failures dead-lettered *before* the checkpoint's
state is handed to ``on_checkpoint`` (which stores it). A retryable failure re-reads from the
last checkpoint, dropping what was not yet durable, so nothing is published twice.
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
from connectors.sdk.bus import EventBus
from connectors.sdk.connector import Event, Sink, Source, WriteReport
from connectors.sdk.deadletter import DeadLetter, plain_context
from connectors.sdk.decisions import SDK_TABLE, Action, RetryTable
from connectors.sdk.retry import RetryPolicy, counting_retries, retrying
from connectors.sdk.state import Checkpoint, State
from connectors.sdk.translate import event_id
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
    ) -> None:
        self.source, self.bus, self.policy = source, bus, policy
        #: who the dead letters name: the configured instance, else the connector
        self.name = name or source.name
        self.outcome, self.on_checkpoint = outcome, on_checkpoint
        self.stop = stop
        self.events: list[Envelope[Any]] = []
        self.dead: list[DeadLetter] = []
        self.records = 0

    def attempt(self) -> None:
        """Read from the last checkpoint to the end."""
        # what was not durable when the last attempt failed is read again from the state
        self.events, self.dead, self.records = [], [], 0
        items = self.source.read(self.outcome.state)
        for item in items:
            if isinstance(item, Checkpoint):
                self.flush()
                self.outcome.state = self.outcome.state.advance(item)
                self.outcome.checkpoints += 1
                if self.on_checkpoint is not None:
                    self.on_checkpoint(self.outcome.state)
                if self.stop is not None and self.stop():
                    # everything read so far is durable and its state saved: a clean place
                    # to end, and the next run resumes right here
                    self.outcome.stopped = True
                    close = getattr(items, "close", None)
                    if close is not None:
                        close()
                    return
            elif isinstance(item, RecordError):
                self.records += 1
                self.dead.append(self.letter(item, item.raw or b"", item.location, "read"))
            else:
                self.records += 1
                self.map(item)
        if self.events or self.dead or self.records:
            log.warning("%s: records after the last checkpoint are read again on resume", self.name)
            self.flush()

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
        """Make pending events and dead letters durable, then count them."""
        if self.events:
            self.bus.publish(self.events)
        if self.dead:
            self.bus.dead_letter(self.dead)
        out = self.outcome
        out.records += self.records
        out.published += len(self.events)
        out.dead_lettered += len(self.dead)
        out.dead_letter_locations.extend(d.location for d in self.dead)
        self.events, self.dead, self.records = [], [], 0

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
) -> RunOutcome:
    """Read ``source`` to the end from ``state``; return counts and the final state.

    ``table`` is the hub's decision table (the connector's ``error_rows`` go on top of it); a
    failure it does not call retryable is raised after the first attempt, unchanged. ``name``
    (the configured instance) is what dead letters name; the connector's name by default.
    ``stop`` is asked after each checkpoint: when it says so, the run ends there
    (``outcome.stopped``), so a hub shutting down need not wait for a long read's end.
    """
    run = _Run(
        source,
        bus,
        policy or source.policy(table),
        RunOutcome(state or State()),
        on_checkpoint,
        name=name,
        stop=stop,
    )
    with counting_retries(run.count_retry):
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
