"""Deliveries: an outbox of notifications, each sent with retries, dead-lettered when it fails.

A row is written in the same transaction as the decision that calls for it (task opened, SLA
threshold crossed, escalation step due), unique per (task, target, purpose, step), so it is
neither lost nor doubled. A worker claims a row (``pending`` → ``sending``), sends it through
:func:`hub.retry.retrying` with the delivery table (transient failures are retried, a rejection
is not), and marks it ``delivered`` — or stores a dead letter (stage ``deliver``) with the
notification's JSON and marks it ``dead``. A row left in ``sending`` by a dead worker is taken
again after ``stale_after``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.engine import Connection

from connectors.sdk import tracing
from hub.deadletter import DeadLetter, DeadLetterService, DeadLetterStatus
from hub.errors import DeadLetterError
from hub.retry import RetryPolicy, retrying
from hub.routing import audit
from hub.routing.errors import DELIVERY_RETRY_TABLE, TargetRejected
from hub.routing.tables import DeliveryRow, TaskLineRow, TaskRow
from hub.routing.targets import Notification, Target
from hub.routing.transactions import dialect_insert, write_transaction

__all__ = ["DELIVERY_POLICY", "NOTIFIED_LINES", "Deliverer", "DeliveryReport", "enqueue"]

_DELIVERIES = cast(Table, DeliveryRow.__table__)
_TASKS = cast(Table, TaskRow.__table__)
_LINES = cast(Table, TaskLineRow.__table__)
NOTIFIED_LINES = 1000
"""Lines a notification carries at most: the task's first (an ``updated`` notice: the ones
seen last), and it says how many the task has (``line_count``). A bulk count's task holds
tens of thousands (22,126 lines for one store of a 1,000,000-row count), which no webhook
receiver or ticket takes in one body; the rest are read from the API a page at a time
(``GET /routing/tasks/{id}?lines_after=…``), as Alertmanager's webhook says how many alerts
it left out past ``max_alerts``."""

DELIVERY_POLICY = RetryPolicy(table=DELIVERY_RETRY_TABLE)
"""Five attempts, capped exponential backoff with jitter, the delivery retry table."""


def enqueue(
    conn: Connection,
    task_id: int,
    targets: list[str],
    purpose: str,
    *,
    step: int = 0,
    now: datetime,
) -> int:
    """Add one delivery per target (a repeat of the same one is ignored); how many were new."""
    rows = [
        {
            "task_id": task_id,
            "target": target,
            "purpose": purpose,
            "step": step,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for target in dict.fromkeys(targets)
    ]
    if not rows:
        return 0
    stmt = dialect_insert(conn, _DELIVERIES).on_conflict_do_nothing(
        index_elements=["task_id", "target", "purpose", "step"]
    )
    return int(conn.execute(stmt, rows).rowcount or 0)


@dataclass(slots=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    delivered: int = 0
    dead_lettered: int = 0


class Deliverer:
    """Sends pending deliveries to their targets."""

    def __init__(
        self,
        db: Engine,
        *,
        policy: RetryPolicy = DELIVERY_POLICY,
        stale_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self.db = db
        # the delivery table decides, whatever table the caller's policy carried
        self.policy = replace(policy, table=DELIVERY_RETRY_TABLE)
        self.stale_after = stale_after
        self.dead_letters = DeadLetterService(db)

    def _claim(self, delivery_id: int, now: datetime) -> bool:
        with write_transaction(self.db) as conn:
            result = conn.execute(
                _DELIVERIES.update()
                .where(
                    _DELIVERIES.c.id == delivery_id,
                    (_DELIVERIES.c.status == "pending")
                    | (
                        (_DELIVERIES.c.status == "sending")
                        & (_DELIVERIES.c.claimed_at < now - self.stale_after)
                    ),
                )
                .values(status="sending", claimed_at=now)
            )
            return bool(result.rowcount)

    def deliver_pending(
        self, targets: Mapping[str, Target], now: datetime, *, limit: int = 500
    ) -> DeliveryReport:
        """Send every pending delivery (and stale claims), oldest first."""
        report = DeliveryReport()
        with self.db.connect() as conn:
            ids = (
                conn.execute(
                    select(_DELIVERIES.c.id)
                    .where(
                        (_DELIVERIES.c.status == "pending")
                        | (
                            (_DELIVERIES.c.status == "sending")
                            & (_DELIVERIES.c.claimed_at < now - self.stale_after)
                        )
                    )
                    .order_by(_DELIVERIES.c.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        for delivery_id in ids:
            if not self._claim(delivery_id, now):
                continue  # another worker has it
            if self._deliver_one(delivery_id, targets, now):
                report.delivered += 1
            else:
                report.dead_lettered += 1
        return report

    def _notification(self, delivery: Any) -> Notification:
        with self.db.connect() as conn:
            task = conn.execute(select(_TASKS).where(_TASKS.c.id == delivery.task_id)).one()
            of_task = _LINES.c.task_id == task.id
            counted = select(func.count()).select_from(_LINES).where(of_task)
            total = int(conn.execute(counted).scalar_one())
            page = select(_LINES.c.id, _LINES.c.fields, _LINES.c.occurrences).where(of_task)
            if total > NOTIFIED_LINES and delivery.purpose == "updated":
                # an update is about the lines that joined or came again since the last
                # notice: the ones seen last, in line order, rather than the task's first
                page = page.order_by(_LINES.c.last_seen.desc(), _LINES.c.id.desc())
            else:
                page = page.order_by(_LINES.c.id)
            chosen = page.limit(NOTIFIED_LINES).subquery()
            lines = conn.execute(
                select(chosen.c.fields, chosen.c.occurrences).order_by(chosen.c.id)
            ).all()
            count = total if total > NOTIFIED_LINES else None
        return Notification(
            delivery_id=f"crossdock-delivery-{delivery.id}",
            task_id=task.id,
            purpose=delivery.purpose
            if not delivery.step
            else f"{delivery.purpose}-{delivery.step}",
            rule=f"{task.rule_id}@{task.rule_version}",
            category=task.category,
            severity=task.severity,
            priority=task.priority,
            impact=task.impact,
            urgency=task.urgency,
            title=task.title,
            summary=(
                f"{task.category} at {', '.join(f'{k}={v}' for k, v in task.labels.items())}"
                f"; value at risk {task.value_at_risk}"
            ),
            correlation_id=f"crossdock-task-{task.id}",
            state=task.state,
            labels=dict(task.labels),
            lines=[{**line.fields, "occurrences": line.occurrences} for line in lines],
            occurrences=task.occurrences,
            escalation_level=task.escalation_level,
            line_count=count,
        )

    def _deliver_one(self, delivery_id: int, targets: Mapping[str, Target], now: datetime) -> bool:
        with self.db.connect() as conn:
            delivery = conn.execute(
                select(_DELIVERIES).where(_DELIVERIES.c.id == delivery_id)
            ).one()
        with self._span(delivery) as span:
            delivered = self._send(delivery, targets, now)
            span.set("crossdock.delivered", delivered)
            return delivered

    def _span(self, delivery: Any) -> tracing.Span:
        """The ``deliver`` span, continuing the trace of the event that opened the task."""
        if not tracing.enabled():
            return tracing.NO_SPAN
        with self.db.connect() as conn:
            parent = conn.execute(
                select(_TASKS.c.traceparent).where(_TASKS.c.id == delivery.task_id)
            ).scalar()
        return tracing.span(
            "crossdock.deliver",
            traceparent=parent,
            kind="client",
            attributes={
                "crossdock.task_id": delivery.task_id,
                "crossdock.target": delivery.target,
                "crossdock.purpose": delivery.purpose,
                "crossdock.delivery_id": delivery.id,
            },
        )

    def _send(self, delivery: Any, targets: Mapping[str, Target], now: datetime) -> bool:
        delivery_id = delivery.id
        notification = self._notification(delivery)
        attempts = 0

        def send() -> str | None:
            nonlocal attempts
            attempts += 1
            target = targets.get(delivery.target)
            if target is None:
                raise TargetRejected(delivery.target, "no such target in the current rules")
            return target.send(notification).reference

        try:
            receipt = retrying(self.policy, send)
        except Exception as exc:  # every failure is kept as a dead letter, whatever its class
            self._dead_letter(delivery, notification, exc, attempts, now)
            return False
        with write_transaction(self.db) as conn:
            conn.execute(
                _DELIVERIES.update()
                .where(_DELIVERIES.c.id == delivery_id)
                .values(
                    status="delivered",
                    attempts=delivery.attempts + attempts,
                    receipt=receipt,
                    delivered_at=now,
                    last_error=None,
                )
            )
            _audit_attempts(
                conn,
                "delivered",
                delivery,
                notification,
                attempts=attempts,
                now=now,
                receipt=receipt,
            )
        return True

    def _dead_letter(
        self,
        delivery: Any,
        notification: Notification,
        exc: Exception,
        attempts: int,
        now: datetime,
    ) -> None:
        decision = self.policy.table.decide(exc)
        with write_transaction(self.db) as conn:
            DeadLetterService.add_many(
                conn,
                [
                    DeadLetter(
                        connector=f"routing:{delivery.target}",
                        source="crossdock://hub/routing",
                        source_key=f"delivery:{delivery.id}",
                        location=f"task {delivery.task_id} → {delivery.target}",
                        stage="deliver",
                        error=exc,
                        decision=decision,
                        payload=json.dumps(notification.as_json()).encode(),
                        content_type="application/json",
                        context={
                            "task_id": delivery.task_id,
                            "target": delivery.target,
                            "purpose": notification.purpose,
                            "delivery_id": delivery.id,
                            # the deliver span (None when tracing is off) names its trace
                            **_trace(tracing.current().traceparent),
                        },
                        attempts=attempts,
                    )
                ],
            )
            conn.execute(
                _DELIVERIES.update()
                .where(_DELIVERIES.c.id == delivery.id)
                .values(status="dead", attempts=delivery.attempts + attempts, last_error=str(exc))
            )
            _audit_attempts(
                conn,
                "delivery_dead_lettered",
                delivery,
                notification,
                attempts=attempts,
                now=now,
                error=str(exc),
                failure=decision.failure.value,
            )


def _audit_attempts(
    conn: Any,
    action: str,
    delivery: Any,
    notification: Notification,
    *,
    attempts: int,
    now: datetime,
    **details: Any,
) -> None:
    """The audit row of a delivery's attempts ending (delivered, or dead-lettered)."""
    audit.record(
        conn,
        action,
        at=now,
        task_id=delivery.task_id,
        rule=notification.rule,
        target=delivery.target,
        purpose=notification.purpose,
        attempts=attempts,
        **details,
    )


def _trace(traceparent: str | None) -> dict[str, str]:
    return {tracing.TRACEPARENT: traceparent} if traceparent is not None else {}


def redeliver(db: Engine, letter_id: int, *, actor: str, now: datetime) -> int:
    """Put a dead-lettered delivery back in the outbox; the letter is marked replayed.

    The next tick sends it again (same delivery id, so receivers that saw an earlier attempt
    can drop the copy). Returns the delivery id; DeadLetterError when the letter is not an open
    routing delivery.
    """
    letter = DeadLetterService(db).get(letter_id)
    delivery_id = (letter.context or {}).get("delivery_id")
    if letter.stage != "deliver" or not isinstance(delivery_id, int):
        raise DeadLetterError(f"dead letter {letter_id} is not a routing delivery")
    with write_transaction(db) as conn:
        DeadLetterService(db).record_action(
            conn,
            letter_id,
            action="redeliver",
            actor=actor,
            new_status=DeadLetterStatus.REPLAYED,
            delivery_id=delivery_id,
        )
        conn.execute(
            _DELIVERIES.update()
            .where(_DELIVERIES.c.id == delivery_id, _DELIVERIES.c.status == "dead")
            .values(status="pending", claimed_at=None)
        )
        audit.record(
            conn,
            "redeliver",
            at=now,
            task_id=int(letter.context["task_id"]),
            actor=actor,
            dead_letter=letter_id,
            delivery=delivery_id,
            target=letter.context.get("target"),
        )
    return delivery_id
