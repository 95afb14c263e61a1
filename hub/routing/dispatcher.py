"""The time-driven half of routing: one :meth:`Dispatcher.tick` moves every task along.

A tick, in order: fires deferred checks that fell due; notifies tasks whose group wait ended
(or holds them back when an inhibition applies); releases held tasks whose inhibitor resolved;
sends SLA notifications (50 %, 75 %, breach); escalates unacknowledged tasks; tells targets
about lines that joined a notified task (once per the rule's group interval); delivers the
outbox. Every step claims its rows with a conditional UPDATE inside a write transaction, so
several dispatchers can tick at once without doing anything twice. Time comes from the router's
clock, so tests move it by hand instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select

from hub.retry import RetryPolicy
from hub.routing import audit, sla
from hub.routing.deliveries import DELIVERY_POLICY, Deliverer, enqueue
from hub.routing.escalation import due_steps
from hub.routing.inhibition import inhibitor_of
from hub.routing.router import DEFERRED, Router
from hub.routing.rules import RulesFile
from hub.routing.tables import SlaClockRow, TaskRow
from hub.routing.targets import Target, TargetContext
from hub.routing.tasks import get_task, open_or_join, set_state
from hub.routing.taxonomy import TaskState
from hub.routing.transactions import write_transaction

__all__ = ["Dispatcher", "TickReport", "build_targets"]

_TASKS = cast(Table, TaskRow.__table__)
_CLOCKS = cast(Table, SlaClockRow.__table__)
_INHIBITED = "inhibited by "


def build_targets(
    rules: RulesFile,
    overrides: Mapping[str, Target] | None = None,
    context: TargetContext | None = None,
) -> dict[str, Target]:
    """The rules file's targets, built; ``overrides`` replace targets of the same name."""
    context = context or TargetContext()
    built: dict[str, Target] = {
        name: config.build(name, context) for name, config in rules.targets.items()
    }
    built.update(overrides or {})
    return built


def _notify_at(definitions: list[dict[str, Any]], name: str) -> list[int]:
    return next((d["notify_at"] for d in definitions if d["name"] == name), [])


@dataclass(slots=True)
class TickReport:
    """What one tick did."""

    deferred_fired: int = 0
    notified: int = 0
    held: int = 0
    released: int = 0
    sla_notifications: int = 0
    escalations: int = 0
    updates: int = 0
    delivered: int = 0
    dead_lettered: int = 0


class Dispatcher:
    """Moves tasks along in time and delivers their notifications."""

    def __init__(
        self,
        router: Router,
        *,
        target_overrides: Mapping[str, Target] | None = None,
        policy: RetryPolicy = DELIVERY_POLICY,
        context: TargetContext | None = None,
    ) -> None:
        self.router = router
        self.db = router.db
        self.overrides = dict(target_overrides or {})
        self.context = context or TargetContext()
        self.deliverer = Deliverer(self.db, policy=policy)
        self._targets: tuple[int, dict[str, Target]] | None = None

    def targets(self) -> dict[str, Target]:
        """Targets of the router's current rules (rebuilt after a reload)."""
        engine = self.router.engine
        if self._targets is None or self._targets[0] != id(engine):
            self._targets = (id(engine), build_targets(engine.rules, self.overrides, self.context))
        return self._targets[1]

    def tick(self, now: datetime | None = None) -> TickReport:
        """One pass over everything that time moves along (see the module docstring)."""
        now = now or self.router.clock()
        report = TickReport()
        report.deferred_fired = self._fire_deferred(now)
        report.notified, report.held = self._notify_ready(now)
        report.released = self._release_held(now)
        report.sla_notifications = self._sla(now)
        report.escalations = self._escalate(now)
        report.updates = self._updates(now)
        delivered = self.deliverer.deliver_pending(self.targets(), now)
        report.delivered, report.dead_lettered = delivered.delivered, delivered.dead_lettered
        return report

    # -- deferred checks ------------------------------------------------------------------------
    def _fire_deferred(self, now: datetime) -> int:
        engine = self.router.engine
        with self.db.connect() as conn:
            due = conn.execute(
                select(DEFERRED).where(DEFERRED.c.status == "pending", DEFERRED.c.due_at <= now)
            ).all()
        fired = 0
        for row in due:
            with write_transaction(self.db) as conn:
                claimed = conn.execute(  # the conditional UPDATE is the claim
                    DEFERRED.update()
                    .where(DEFERRED.c.id == row.id, DEFERRED.c.status == "pending")
                    .values(status="fired")
                ).rowcount
                if not claimed:
                    continue
                fired += 1
                if row.rule_id not in engine.by_id:
                    audit.record(
                        conn,
                        "deferred_dropped",
                        at=now,
                        rule=row.rule_id,
                        key=row.key,
                        why="the rule is no longer in the rules file",
                    )
                    continue
                ctx = engine.context(row.event, now)
                decision = engine.decide_context(ctx, only=row.rule_id)
                for match in decision.matches:
                    open_or_join(conn, match, ctx, now, regrade=engine.regrade)
                if not decision.matches:
                    audit.record(
                        conn,
                        "deferred_passed",
                        at=now,
                        rule=row.rule_id,
                        event_id=ctx.event_id,
                        key=row.key,
                        errors=decision.errors,
                    )
        return fired

    # -- group wait over: notify or hold ----------------------------------------------------------
    def _notify_ready(self, now: datetime) -> tuple[int, int]:
        inhibitions = self.router.engine.rules.inhibit
        with self.db.connect() as conn:
            ready = (
                conn.execute(
                    select(_TASKS.c.id)
                    .where(_TASKS.c.state == TaskState.PENDING.value, _TASKS.c.notify_after <= now)
                    .order_by(_TASKS.c.id)
                )
                .scalars()
                .all()
            )
        notified = held = 0
        for task_id in ready:
            with write_transaction(self.db) as conn:
                task = get_task(conn, task_id, for_update=True)
                if task.state != TaskState.PENDING.value:
                    continue  # another dispatcher got there first
                rule = f"{task.rule_id}@{task.rule_version}"
                hit = inhibitor_of(conn, inhibitions, task)
                if hit is not None:
                    inhibition, source = hit
                    reason = f"{_INHIBITED}{inhibition.id} (task {source})"
                    set_state(conn, task, TaskState.HELD, now, reason=reason)
                    sla.start_clocks(conn, task.id, task.sla, TaskState.HELD.value, now)
                    audit.record(
                        conn,
                        "held",
                        at=now,
                        task_id=task.id,
                        rule=rule,
                        inhibition=inhibition.id,
                        source_task=source,
                        why=inhibition.description or reason,
                    )
                    held += 1
                    continue
                self._open(conn, task, now, purpose="review" if task.review else "opened")
                sla.start_clocks(conn, task.id, task.sla, TaskState.OPEN.value, now)
                notified += 1
        return notified, held

    def _open(self, conn: Any, task: Any, now: datetime, *, purpose: str) -> None:
        set_state(
            conn,
            task,
            TaskState.OPEN,
            now,
            notified_at=task.notified_at or now,
            last_notice_at=now,
            changed_since_notice=False,
        )
        enqueue(conn, task.id, list(task.targets), purpose, now=now)
        audit.record(
            conn,
            "notified",
            at=now,
            task_id=task.id,
            rule=f"{task.rule_id}@{task.rule_version}",
            purpose=purpose,
            targets=list(task.targets),
            lines=None,
        )

    def _release_held(self, now: datetime) -> int:
        inhibitions = self.router.engine.rules.inhibit
        with self.db.connect() as conn:
            held = (
                conn.execute(
                    select(_TASKS.c.id).where(
                        _TASKS.c.state == TaskState.HELD.value,
                        _TASKS.c.state_reason.startswith(_INHIBITED),
                    )
                )
                .scalars()
                .all()
            )
        released = 0
        for task_id in held:
            with write_transaction(self.db) as conn:
                task = get_task(conn, task_id, for_update=True)
                if task.state != TaskState.HELD.value or inhibitor_of(conn, inhibitions, task):
                    continue
                self._open(conn, task, now, purpose="released")
                released += 1
        return released

    # -- SLA and escalation -----------------------------------------------------------------------
    def _sla(self, now: datetime) -> int:
        with self.db.connect() as conn:
            clocks = conn.execute(
                select(_CLOCKS, _TASKS.c.sla)
                .join(_TASKS, _TASKS.c.id == _CLOCKS.c.task_id)
                .where(_CLOCKS.c.status == "running")
            ).all()
        # only clocks with a threshold crossed take a write transaction (and its locks)
        due = [
            (c.id, c.task_id)
            for c in clocks
            if sla.due_thresholds(c, _notify_at(c.sla, c.name), now)
        ]
        sent = 0
        for clock_id, task_id in due:
            with write_transaction(self.db) as conn:
                # task first, then clock: the order every path takes, so workers cannot deadlock
                task = get_task(conn, task_id, for_update=True)
                row = conn.execute(
                    select(_CLOCKS).where(_CLOCKS.c.id == clock_id).with_for_update()
                ).one()
                definition = next((d for d in task.sla if d["name"] == row.name), None)
                if definition is None:
                    continue
                crossed = sla.due_thresholds(row, definition["notify_at"], now)
                if not crossed:
                    continue
                for pct in crossed:
                    purpose = f"sla_{row.name}_{'breach' if pct >= 100 else pct}"
                    enqueue(conn, task.id, list(task.targets), purpose, now=now)
                    audit.record(
                        conn,
                        "sla_breach" if pct >= 100 else "sla_warning",
                        at=now,
                        task_id=task.id,
                        rule=f"{task.rule_id}@{task.rule_version}",
                        sla=row.name,
                        percent=pct,
                        elapsed_s=round(sla.elapsed(row, now), 1),
                    )
                    sent += 1
                conn.execute(
                    _CLOCKS.update()
                    .where(_CLOCKS.c.id == clock_id)
                    .values(notified_pct=crossed[-1], breached=row.breached or crossed[-1] >= 100)
                )
        return sent

    def _updates(self, now: datetime) -> int:
        """New lines on a notified task: tell its targets, at most once per group interval."""
        live = [TaskState.OPEN.value, TaskState.ESCALATED.value, TaskState.ACKNOWLEDGED.value]
        with self.db.connect() as conn:
            changed = conn.execute(
                select(_TASKS.c.id, _TASKS.c.last_notice_at, _TASKS.c.group_interval_s).where(
                    _TASKS.c.changed_since_notice.is_(True),
                    _TASKS.c.group_interval_s.is_not(None),
                    _TASKS.c.state.in_(live),
                )
            ).all()
        sent = 0
        for task_id, last, interval in changed:
            if last is not None and (now - last).total_seconds() < interval:
                continue
            with write_transaction(self.db) as conn:
                task = get_task(conn, task_id, for_update=True)
                if not task.changed_since_notice or task.state not in live:
                    continue
                number = task.updates_sent + 1
                enqueue(conn, task.id, list(task.targets), "updated", step=number, now=now)
                conn.execute(
                    _TASKS.update()
                    .where(_TASKS.c.id == task.id)
                    .values(changed_since_notice=False, updates_sent=number, last_notice_at=now)
                )
                audit.record(
                    conn,
                    "updated",
                    at=now,
                    task_id=task.id,
                    rule=f"{task.rule_id}@{task.rule_version}",
                    update=number,
                    occurrences=task.occurrences,
                    targets=list(task.targets),
                )
                sent += 1
        return sent

    def _escalate(self, now: datetime) -> int:
        with self.db.connect() as conn:
            candidates = conn.execute(
                select(
                    _TASKS.c.id,
                    _TASKS.c.escalation,
                    _TASKS.c.notified_at,
                    _TASKS.c.escalation_level,
                ).where(
                    _TASKS.c.state.in_([TaskState.OPEN.value, TaskState.ESCALATED.value]),
                    _TASKS.c.escalation.is_not(None),
                )
            ).all()
        escalated = 0
        for task_id in (
            c.id
            for c in candidates
            if due_steps(c.escalation, c.notified_at, c.escalation_level, now)
        ):
            with write_transaction(self.db) as conn:
                task = get_task(conn, task_id, for_update=True)
                if task.state not in (TaskState.OPEN.value, TaskState.ESCALATED.value):
                    continue
                steps = due_steps(task.escalation, task.notified_at, task.escalation_level, now)
                if not steps:
                    continue
                for number, targets in steps:
                    enqueue(conn, task.id, targets, "escalation", step=number, now=now)
                    audit.record(
                        conn,
                        "escalated",
                        at=now,
                        task_id=task.id,
                        rule=f"{task.rule_id}@{task.rule_version}",
                        step=number,
                        targets=targets,
                    )
                    escalated += 1
                conn.execute(
                    _TASKS.update()
                    .where(
                        _TASKS.c.id == task.id, _TASKS.c.escalation_level == task.escalation_level
                    )
                    .values(escalation_level=steps[-1][0])
                )
                if task.state != TaskState.ESCALATED.value:
                    set_state(
                        conn,
                        task,
                        TaskState.ESCALATED,
                        now,
                        reason=f"unacknowledged after escalation step {steps[-1][0]}",
                        escalation_level=steps[-1][0],
                    )
        return escalated
