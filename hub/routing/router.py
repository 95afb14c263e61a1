"""Routing events into tasks: decide with the rules, then open, join or defer in one transaction.

Each event is claimed by id (:func:`hub.dedup.claim_events`) in the same transaction as its
tasks, so a redelivered event changes nothing. An event that is not valid becomes a dead letter
(stage ``route``) with its bytes. :meth:`Router.reload` swaps in a new compiled rules file: an
event being routed keeps the engine it started with, and open tasks keep the targets, SLAs and
escalation they were opened with, so nothing in flight is dropped or changed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table

from hub.deadletter import DeadLetter, DeadLetterService
from hub.dedup import claim_events
from hub.migrations import check_schema
from hub.retry import DEFAULT_TABLE, RetryPolicy, retrying
from hub.routing import audit
from hub.routing.classifier import Classifier
from hub.routing.context import EventContext
from hub.routing.engine import Decision, Match, Memo, RoutingEngine
from hub.routing.loader import load_engine
from hub.routing.tables import DeferredCheckRow
from hub.routing.tasks import open_or_join_many
from hub.routing.transactions import dialect_insert, write_transaction

__all__ = ["BATCH", "Clock", "RouteOutcome", "Router", "create_tables", "system_clock"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
"""Where the router and dispatcher get "now" (tests pass a clock they move by hand)."""

DEFERRED = cast(Table, DeferredCheckRow.__table__)
_DB_RETRY = RetryPolicy(max_attempts=5, initial_wait=0.05, max_wait=1.0)
BATCH = 2000
"""Events recorded per transaction by :meth:`Router.route_many` (a bus message holds 1,000)."""


def system_clock() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def create_tables(engine: Engine) -> None:
    """The routing tables are there: an empty database is migrated, one behind refused
    (:func:`hub.migrations.check_schema`; the migrations make every table)."""
    check_schema(engine)


@dataclass(slots=True)
class RouteOutcome:
    """What routing one event did."""

    event_id: str
    duplicate: bool = False
    dead_lettered: bool = False
    dismissed: bool = False
    """No rule can match its type: nothing was read, validated or recorded."""
    opened: list[int] = field(default_factory=list)
    joined: list[int] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


class Router:
    """Routes events to tasks with the current rules; thread-safe (one engine swap at a time)."""

    def __init__(
        self,
        db: Engine,
        engine: RoutingEngine,
        *,
        clock: Clock = system_clock,
        consumer: str = "routing",
        create: bool = True,
    ) -> None:
        self.db = db
        self.engine = engine
        self.clock = clock
        self.consumer = consumer
        self.dead_letters = DeadLetterService(db)
        self._reload_lock = threading.Lock()
        if create:
            create_tables(db)

    # -- rules --------------------------------------------------------------------------------
    def reload(
        self, path: Path | None = None, *, classifiers: Mapping[str, Classifier] | None = None
    ) -> RoutingEngine:
        """Load, check and swap in new rules; RulesError leaves the current rules in place."""
        with self._reload_lock:
            new = load_engine(path, classifiers=classifiers or self.engine.classifiers)
            old, self.engine = self.engine, new
            with write_transaction(self.db) as conn:
                audit.record(
                    conn,
                    "rules_reloaded",
                    at=self.clock(),
                    actor="router",
                    source=new.source,
                    previous_version=old.rules.version,
                    version=new.rules.version,
                    rules=[c.ref for c in new.compiled],
                )
            return new

    # -- routing ------------------------------------------------------------------------------
    def route_many(
        self,
        events: Iterable[Mapping[str, Any]],
        *,
        at: datetime | None = None,
        validated: bool = False,
    ) -> list[RouteOutcome]:
        """Route events together: decided one by one, recorded in one transaction per
        :data:`BATCH` events (a bus message's events), their tasks written once each.

        ``validated=True`` is for a caller that hands over events it has itself validated as
        canonical envelopes and serialised (the hub's pipeline routing in process): a canonical
        event is then read by its model's field types instead of being validated again, which
        was a fifth of routing one. Routing is otherwise the same (dedup, tasks, audit); an
        event that is not what was vouched for still becomes a dead letter. Events from the bus
        or any other outside source are routed with the default, ``validated=False``."""
        events = list(events)
        outcomes: list[RouteOutcome] = []
        for i in range(0, len(events), BATCH):
            outcomes += self._route_batch(events[i : i + BATCH], at, validated)
        return outcomes

    def route(self, event: Mapping[str, Any], *, at: datetime | None = None) -> RouteOutcome:
        """Decide on ``event`` and record the result; invalid events become dead letters."""
        return self._route_batch([event], at, False)[0]

    def _route_batch(
        self, events: list[Mapping[str, Any]], at: datetime | None, validated: bool
    ) -> list[RouteOutcome]:
        engine = self.engine  # one engine for the whole batch, whatever reload does meanwhile
        now = at or self.clock()
        outcomes: list[RouteOutcome] = []
        decided: list[tuple[RouteOutcome, Decision]] = []
        memo: Memo = {}  # what each rule decides from a group's fields: once a batch
        for event in events:
            event_id = str(event.get("id") or "")
            if event_id and not engine.wants(str(event.get("type", ""))):
                outcomes.append(RouteOutcome(event_id, dismissed=True))
                continue
            try:
                if not event_id:
                    raise ValueError("the event has no id")
                decision = engine.decide(event, now, validated=validated, memo=memo)
            except ValueError as exc:
                self._dead_letter(event, exc)
                outcomes.append(RouteOutcome(event_id, dead_lettered=True, errors=[str(exc)]))
                continue
            # by position (duplicate, dead-lettered, dismissed, opened, joined, deferred,
            # cancelled, errors): a class called with keywords builds a dict of them each time
            outcome = RouteOutcome(
                event_id, False, False, False, [], [], [], 0, list(decision.errors)
            )
            outcomes.append(outcome)
            decided.append((outcome, decision))

        attempts = 0

        def record() -> None:
            nonlocal attempts
            attempts += 1
            with write_transaction(self.db) as conn:
                claimed = claim_events(conn, self.consumer, [o.event_id for o, _d in decided])
                fresh: list[tuple[RouteOutcome, Decision]] = []
                for outcome, decision in decided:
                    outcome.duplicate = outcome.event_id not in claimed
                    if attempts > 1:  # a retried transaction starts the outcomes again
                        outcome.opened, outcome.joined, outcome.deferred = [], [], []
                        outcome.cancelled = 0
                    if not outcome.duplicate:
                        claimed.discard(outcome.event_id)  # the same id twice in one batch
                        fresh.append((outcome, decision))
                self._record(conn, fresh, now, engine)

        # a lock timeout or deadlock between workers rolls the whole batch back; the retry table
        # calls it transient, so the batch is simply recorded again
        if decided:
            retrying(_DB_RETRY, record)
        return outcomes

    def _record(
        self,
        conn: Any,
        decided: list[tuple[RouteOutcome, Decision]],
        now: datetime,
        engine: RoutingEngine,
    ) -> None:
        entries: list[dict[str, Any]] = []
        to_join: list[tuple[Match, EventContext]] = []
        joiners: list[RouteOutcome] = []
        for outcome, decision in decided:
            ctx = decision.context
            for rule_id, key in decision.cancels:
                result = conn.execute(
                    DEFERRED.update()
                    .where(
                        DEFERRED.c.rule_id == rule_id,
                        DEFERRED.c.key == key,
                        DEFERRED.c.status == "pending",
                    )
                    .values(status="cancelled")
                )
                if result.rowcount:
                    outcome.cancelled += 1
                    entries.append(
                        audit.entry(
                            "deferred_cancelled",
                            at=now,
                            rule=rule_id,
                            event_id=ctx.event_id,
                            input_digest=ctx.digest,
                            key=key,
                        )
                    )
            for match in decision.matches:
                if match.deferred_until is None:
                    to_join.append((match, ctx))
                    joiners.append(outcome)
                    continue
                assert match.defer_key is not None
                stmt = dialect_insert(conn, DEFERRED).values(
                    rule_id=match.rule.rule.id,
                    key=match.defer_key,
                    due_at=match.deferred_until,
                    event=ctx.event,
                    status="pending",
                )
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["rule_id", "key"]))
                outcome.deferred.append(match.rule.rule.id)
                entries.append(
                    audit.entry(
                        "deferred",
                        at=now,
                        rule=match.rule.ref,
                        event_id=ctx.event_id,
                        input_digest=ctx.digest,
                        due_at=match.deferred_until.isoformat(),
                        key=match.defer_key,
                    )
                )
            if decision.errors:
                entries.append(
                    audit.entry(
                        "rule_errors",
                        at=now,
                        event_id=ctx.event_id,
                        input_digest=ctx.digest,
                        errors=decision.errors,
                    )
                )
        audit.record_many(conn, entries)
        joined = open_or_join_many(conn, to_join, now, regrade=engine.regrade)
        for outcome, result in zip(joiners, joined, strict=True):
            (outcome.opened if result.created else outcome.joined).append(result.task_id)

    def dead_letter(
        self,
        event: Mapping[str, Any],
        exc: Exception,
        *,
        payload: bytes,
        content_type: str,
        source_key: str,
        location: str,
    ) -> None:
        """Keep what routing could not take as a dead letter (stage ``route``) with its bytes;
        ``event`` (one event, or the first of a message's) names its source, type and id."""
        self.dead_letters.add(
            DeadLetter(
                connector="routing",
                source=str(event.get("source") or "routing"),
                source_key=source_key,
                location=location,
                stage="route",
                error=exc,
                decision=DEFAULT_TABLE.decide(exc),
                payload=payload,
                content_type=content_type,
                event_type=str(event.get("type")) if event.get("type") else None,
                event_id=str(event.get("id")) if event.get("id") else None,
            )
        )

    def _dead_letter(self, event: Mapping[str, Any], exc: Exception) -> None:
        payload = json.dumps(event, default=str).encode()
        key = str(event.get("id") or audit_digest(payload))
        self.dead_letter(
            event,
            exc,
            payload=payload,
            content_type="application/cloudevents+json",
            source_key=f"event:{key}",
            location=f"event {key}",
        )
        log.warning(
            "routing: event %s dead-lettered: %s", key, exc, extra={"event_id": event.get("id")}
        )


def audit_digest(payload: bytes) -> str:
    """SHA-256 hex of ``payload`` (the identity of an event without an id)."""
    import hashlib

    return hashlib.sha256(payload).hexdigest()
