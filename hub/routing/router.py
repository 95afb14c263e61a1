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

from hub import checkpoints
from hub.deadletter import DeadLetter, DeadLetterService, model
from hub.dedup import ProcessedEventRow, claim_events
from hub.retry import DEFAULT_TABLE, RetryPolicy, retrying
from hub.routing import audit, tables
from hub.routing.classifier import Classifier
from hub.routing.engine import Decision, RoutingEngine
from hub.routing.loader import load_engine
from hub.routing.tables import DeferredCheckRow
from hub.routing.tasks import open_or_join
from hub.routing.transactions import dialect_insert, write_transaction
from hub.storage import Base

__all__ = ["Clock", "RouteOutcome", "Router", "create_tables", "system_clock"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
"""Where the router and dispatcher get "now" (tests pass a clock they move by hand)."""

DEFERRED = cast(Table, DeferredCheckRow.__table__)
_DB_RETRY = RetryPolicy(max_attempts=5, initial_wait=0.05, max_wait=1.0)


def system_clock() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


#: modules whose tables create_tables makes (imported for registering them on Base)
_TABLE_MODULES = (checkpoints, model, tables)


def create_tables(engine: Engine) -> None:
    """Create the routing tables (and the consumers' dedup table) when missing."""
    routing = [t for name, t in Base.metadata.tables.items() if name.startswith("routing_")]
    Base.metadata.create_all(
        engine,
        tables=[
            *routing,
            cast(Table, ProcessedEventRow.__table__),
            Base.metadata.tables["dead_letters"],
            Base.metadata.tables["checkpoints"],
        ],
    )


@dataclass(slots=True)
class RouteOutcome:
    """What routing one event did."""

    event_id: str
    duplicate: bool = False
    dead_lettered: bool = False
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
    def route_many(self, events: Iterable[Mapping[str, Any]]) -> list[RouteOutcome]:
        """Route events one by one (each in its own transaction)."""
        return [self.route(event) for event in events]

    def route(self, event: Mapping[str, Any], *, at: datetime | None = None) -> RouteOutcome:
        """Decide on ``event`` and record the result; invalid events become dead letters."""
        engine = self.engine  # one engine for the whole event, whatever reload does meanwhile
        now = at or self.clock()
        event_id = str(event.get("id") or "")
        try:
            if not event_id:
                raise ValueError("the event has no id")
            decision = engine.decide(event, now)
        except ValueError as exc:
            self._dead_letter(event, exc)
            return RouteOutcome(event_id, dead_lettered=True, errors=[str(exc)])

        def record() -> RouteOutcome:
            with write_transaction(self.db) as conn:
                if not claim_events(conn, self.consumer, [event_id]):
                    return RouteOutcome(event_id, duplicate=True)
                return self._record(conn, decision, now, engine)

        # a lock timeout or deadlock between workers rolls the whole event back; the retry table
        # calls it transient, so the event is simply recorded again
        return retrying(_DB_RETRY, record)

    def _record(
        self, conn: Any, decision: Decision, now: datetime, engine: RoutingEngine
    ) -> RouteOutcome:
        ctx = decision.context
        outcome = RouteOutcome(ctx.event_id, errors=list(decision.errors))
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
                audit.record(
                    conn,
                    "deferred_cancelled",
                    at=now,
                    rule=rule_id,
                    event_id=ctx.event_id,
                    input_digest=ctx.digest,
                    key=key,
                )
        for match in decision.matches:
            if match.deferred_until is not None:
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
                audit.record(
                    conn,
                    "deferred",
                    at=now,
                    rule=match.rule.ref,
                    event_id=ctx.event_id,
                    input_digest=ctx.digest,
                    due_at=match.deferred_until.isoformat(),
                    key=match.defer_key,
                )
                continue
            joined = open_or_join(conn, match, ctx, now, regrade=engine.regrade)
            (outcome.opened if joined.created else outcome.joined).append(joined.task_id)
        if decision.errors:
            audit.record(
                conn,
                "rule_errors",
                at=now,
                event_id=ctx.event_id,
                input_digest=ctx.digest,
                errors=decision.errors,
            )
        return outcome

    def _dead_letter(self, event: Mapping[str, Any], exc: Exception) -> None:
        payload = json.dumps(event, default=str).encode()
        key = str(event.get("id") or audit_digest(payload))
        self.dead_letters.add(
            DeadLetter(
                connector="routing",
                source=str(event.get("source") or "routing"),
                source_key=f"event:{key}",
                location=f"event {key}",
                stage="route",
                error=exc,
                decision=DEFAULT_TABLE.decide(exc),
                payload=payload,
                content_type="application/cloudevents+json",
                event_type=str(event.get("type")) if event.get("type") else None,
                event_id=str(event.get("id")) if event.get("id") else None,
            )
        )
        log.warning("routing: event %s dead-lettered: %s", key, exc)


def audit_digest(payload: bytes) -> str:
    """SHA-256 hex of ``payload`` (the identity of an event without an id)."""
    import hashlib

    return hashlib.sha256(payload).hexdigest()
