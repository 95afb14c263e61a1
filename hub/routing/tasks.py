"""Tasks: opened or joined by routed exceptions (dedup and grouping), read, acknowledged, resolved.

:func:`open_or_join` is safe with several workers at once: the task insert is
``INSERT … ON CONFLICT (open_key) DO NOTHING`` and the loser of a race joins the winner's task;
a line is ``INSERT … ON CONFLICT (task_id, dedup_key) DO UPDATE`` counting the repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine, Table, case, func, select
from sqlalchemy.engine import Connection

from hub.routing import audit, sla
from hub.routing.context import EventContext
from hub.routing.engine import Match
from hub.routing.errors import TaskError
from hub.routing.tables import DeliveryRow, SlaClockRow, TaskLineRow, TaskRow
from hub.routing.taxonomy import TaskState
from hub.routing.transactions import dialect_insert, write_transaction

__all__ = [
    "JoinResult",
    "acknowledge",
    "count_open",
    "get_task",
    "list_tasks",
    "open_or_join",
    "resolve",
    "set_state",
    "task_detail",
]

TASKS = cast(Table, TaskRow.__table__)
LINES = cast(Table, TaskLineRow.__table__)
CLOCKS = cast(Table, SlaClockRow.__table__)
DELIVERIES = cast(Table, DeliveryRow.__table__)
_UNRESOLVED = [s.value for s in TaskState if s is not TaskState.RESOLVED]


@dataclass(frozen=True, slots=True)
class JoinResult:
    """What routing one match did: which task, and whether it was new."""

    task_id: int
    created: bool


def open_or_join(
    conn: Connection,
    match: Match,
    ctx: EventContext,
    now: datetime,
    *,
    regrade: Callable[[Match, Decimal], tuple[int, int]] | None = None,
) -> JoinResult:
    """Open the match's task, or add the exception to the unresolved task of its group.

    With ``regrade`` (the engine's), a task joined by a new line is graded again on the value
    its lines put at risk together: forty SKUs short weigh more than the first one did. A
    grade only ever rises, so a notified priority is never quietly lowered.
    """
    rule = match.rule.rule
    state = TaskState.PENDING.value
    reason = None
    notify_after = now + rule.group_wait
    for hit in match.windows:
        if hit.action == "mute":
            state, reason = TaskState.HELD.value, f"muted by maintenance window {hit.window}"
        else:
            notify_after = max(notify_after, hit.until)
            reason = f"delayed by maintenance window {hit.window} until {hit.until.isoformat()}"
    values = {
        "group_key": match.group_key,
        "open_key": match.group_key,
        "rule_id": rule.id,
        "rule_version": match.rule.version,
        "category": match.category,
        "severity": match.severity.label,
        "priority": match.priority,
        "impact": match.impact,
        "urgency": match.urgency,
        "value_at_risk": str(match.value_at_risk),
        "title": match.title,
        "labels": match.labels,
        "state": state,
        "state_reason": reason,
        "occurrences": 1,
        "first_seen": now,
        "last_seen": now,
        "notify_after": notify_after,
        "targets": match.targets,
        "sla": sla.sla_snapshot(rule.sla),
        "escalation": rule.escalation.model_dump(mode="json") if rule.escalation else None,
        "escalation_level": 0,
        "changed_since_notice": False,
        "group_interval_s": rule.group_interval.total_seconds() if rule.group_interval else None,
        "updates_sent": 0,
        "review": match.review,
        "classification": (
            {"label": match.classification.label, "confidence": match.classification.confidence}
            if match.classification
            else None
        ),
    }
    stmt = dialect_insert(conn, TASKS).on_conflict_do_nothing(index_elements=["open_key"])
    inserted = conn.execute(stmt.returning(TASKS.c.id), [values]).scalars().all()
    total = match.value_at_risk
    if inserted:
        task_id, created = int(inserted[0]), True
    else:
        created = False
        # the UPDATE locks the task row (PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the
        # write lock), so the value read back and the line's old value below stay consistent
        task_id, value = conn.execute(
            TASKS.update()
            .where(TASKS.c.open_key == match.group_key)
            .values(
                occurrences=TASKS.c.occurrences + 1,
                last_seen=now,
                # news for the targets only once they have heard of the task
                changed_since_notice=TASKS.c.notified_at.is_not(None),
            )
            .returning(TASKS.c.id, TASKS.c.value_at_risk)
        ).one()
        previous = conn.execute(
            select(LINES.c.value_at_risk).where(
                LINES.c.task_id == task_id, LINES.c.dedup_key == match.dedup_key
            )
        ).scalar_one_or_none()
        # the task's value is the sum over its lines, kept as lines come and change: the line's
        # old value out, its new one in (summing every line on every join was quadratic)
        total = Decimal(value) - Decimal(previous or 0) + match.value_at_risk
    line = dialect_insert(conn, LINES).values(
        task_id=task_id,
        dedup_key=match.dedup_key,
        event_id=ctx.event_id,
        occurrences=1,
        first_seen=now,
        last_seen=now,
        fields=match.line,
        value_at_risk=str(match.value_at_risk),
    )
    conn.execute(
        line.on_conflict_do_update(
            index_elements=["task_id", "dedup_key"],
            set_={
                "occurrences": LINES.c.occurrences + 1,
                "last_seen": line.excluded.last_seen,
                "event_id": line.excluded.event_id,
                "fields": line.excluded.fields,
                "value_at_risk": line.excluded.value_at_risk,
            },
        )
    )
    if not created:
        _regrade(conn, task_id, total, match, regrade)
    audit.record(
        conn,
        "opened" if created else "joined",
        at=now,
        task_id=task_id,
        rule=match.rule.ref,
        event_id=ctx.event_id,
        input_digest=ctx.digest,
        decision=match.summary(),
        state=state,
        state_reason=reason,
    )
    return JoinResult(task_id, created)


def _regrade(
    conn: Connection,
    task_id: int,
    total: Decimal,
    match: Match,
    regrade: Callable[[Match, Decimal], tuple[int, int]] | None,
) -> None:
    changes: dict[str, Any] = {"value_at_risk": str(total)}
    if regrade is not None:
        impact, priority = regrade(match, total)
        # lower numbers are graver; LEAST is not in SQLite, MIN(a, b) not in PostgreSQL
        changes["impact"] = case((TASKS.c.impact > impact, impact), else_=TASKS.c.impact)
        changes["priority"] = case((TASKS.c.priority > priority, priority), else_=TASKS.c.priority)
    conn.execute(TASKS.update().where(TASKS.c.id == task_id).values(**changes))


def get_task(conn: Connection, task_id: int, *, for_update: bool = False) -> Any:
    """The task row (locked until commit with ``for_update``); TaskError when there is none."""
    stmt = select(TASKS).where(TASKS.c.id == task_id)
    if for_update:
        # PostgreSQL: a second worker waits here and then sees the first one's change;
        # SQLite has no row locks, but BEGIN IMMEDIATE already serialises writers
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise TaskError(f"no routing task with id {task_id}")
    return row


def set_state(
    conn: Connection,
    task: Any,
    state: TaskState,
    now: datetime,
    *,
    reason: str | None = None,
    **values: Any,
) -> None:
    """Change a task's state (and its SLA clocks); resolving frees its group for a new task."""
    changes: dict[str, Any] = {"state": state.value, "state_reason": reason, **values}
    if state is TaskState.RESOLVED:
        changes["open_key"] = None
    conn.execute(TASKS.update().where(TASKS.c.id == task.id).values(**changes))
    sla.apply_state(conn, task.id, task.sla, state.value, now)


def _transition(
    engine: Engine,
    task_id: int,
    *,
    to: TaskState,
    allowed: set[str],
    actor: str,
    now: datetime,
    note: str | None,
    **values: Any,
) -> None:
    with write_transaction(engine) as conn:
        task = get_task(conn, task_id, for_update=True)
        if task.state not in allowed:
            raise TaskError(f"task {task_id} is {task.state}: cannot move it to {to.value}")
        set_state(conn, task, to, now, reason=note, **values)
        audit.record(
            conn,
            to.value,
            at=now,
            task_id=task_id,
            rule=f"{task.rule_id}@{task.rule_version}",
            actor=actor,
            previous_state=task.state,
            note=note,
        )


def acknowledge(
    engine: Engine, task_id: int, *, actor: str, now: datetime, note: str | None = None
) -> None:
    """Somebody owns the task: escalation stops, response SLAs stop."""
    _transition(
        engine,
        task_id,
        to=TaskState.ACKNOWLEDGED,
        allowed={"pending", "held", "open", "escalated"},
        actor=actor,
        now=now,
        note=note,
        acknowledged_by=actor,
        acknowledged_at=now,
    )


def resolve(
    engine: Engine, task_id: int, *, actor: str, now: datetime, note: str | None = None
) -> None:
    """The task is done: every clock stops; a later exception of the group opens a new task."""
    _transition(
        engine,
        task_id,
        to=TaskState.RESOLVED,
        allowed=set(_UNRESOLVED),
        actor=actor,
        now=now,
        note=note,
        resolved_by=actor,
        resolved_at=now,
    )


def _task_dict(row: Any) -> dict[str, Any]:
    d = dict(row._mapping)
    for k, v in d.items():
        if isinstance(v, datetime):
            d[k] = v.isoformat()
    return d


def list_tasks(
    engine: Engine,
    *,
    states: list[str] | None = None,
    rule: str | None = None,
    category: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Tasks newest first, filtered (default: every unresolved state)."""
    stmt = select(TASKS).where(TASKS.c.state.in_(states or _UNRESOLVED))
    if rule:
        stmt = stmt.where(TASKS.c.rule_id == rule)
    if category:
        stmt = stmt.where(TASKS.c.category == category)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(TASKS.c.id.desc()).limit(limit)).all()
    return [_task_dict(r) for r in rows]


def count_open(engine: Engine) -> int:
    """How many tasks are not resolved yet."""
    with engine.connect() as conn:
        stmt = select(func.count()).select_from(TASKS).where(TASKS.c.state.in_(_UNRESOLVED))
        return int(conn.execute(stmt).scalar_one())


def task_detail(engine: Engine, task_id: int) -> dict[str, Any]:
    """One task with its lines, SLA clocks and deliveries."""
    with engine.connect() as conn:
        task = _task_dict(get_task(conn, task_id))
        lines = conn.execute(
            select(LINES).where(LINES.c.task_id == task_id).order_by(LINES.c.id)
        ).all()
        clocks = conn.execute(select(CLOCKS).where(CLOCKS.c.task_id == task_id)).all()
        deliveries = conn.execute(
            select(DELIVERIES).where(DELIVERIES.c.task_id == task_id).order_by(DELIVERIES.c.id)
        ).all()
    task["lines"] = [_task_dict(r) for r in lines]
    task["sla_clocks"] = [_task_dict(r) for r in clocks]
    task["deliveries"] = [_task_dict(r) for r in deliveries]
    return task
