"""Tasks: opened or joined by routed exceptions (dedup and grouping), read, acknowledged, resolved.

:func:`open_or_join` is safe with several workers at once: the task insert is
``INSERT … ON CONFLICT (open_key) DO NOTHING`` and the loser of a race joins the winner's task;
a line is ``INSERT … ON CONFLICT (task_id, dedup_key) DO UPDATE`` counting the repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine, Integer, String, Table, bindparam, case, func, select
from sqlalchemy.engine import Connection

from connectors.sdk import tracing
from hub.routing import audit, sla
from hub.routing.context import EventContext
from hub.routing.engine import Match
from hub.routing.errors import TaskError
from hub.routing.tables import DeliveryRow, SlaClockRow, TaskLineRow, TaskRow, UtcDateTime
from hub.routing.taxonomy import TaskState
from hub.routing.transactions import dialect_insert, execute_many, write_transaction

__all__ = [
    "LINES_PAGE",
    "JoinResult",
    "acknowledge",
    "count_open",
    "get_task",
    "list_tasks",
    "open_or_join",
    "open_or_join_many",
    "resolve",
    "set_state",
    "task_detail",
]

TASKS = cast(Table, TaskRow.__table__)
LINES = cast(Table, TaskLineRow.__table__)
CLOCKS = cast(Table, SlaClockRow.__table__)
DELIVERIES = cast(Table, DeliveryRow.__table__)
_UNRESOLVED = [s.value for s in TaskState if s is not TaskState.RESOLVED]
LINES_PAGE = 1000
"""Lines a task's detail holds by default: a bulk stock count's task holds tens of thousands
(22,126 lines, 10.8 MB of JSON, for one store of a 1,000,000-row count), read page by page."""


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

    One match of :func:`open_or_join_many`, which says what happens.
    """
    return open_or_join_many(conn, [(match, ctx)], now, regrade=regrade)[0]


def open_or_join_many(
    conn: Connection,
    matches: Sequence[tuple[Match, EventContext]],
    now: datetime,
    *,
    regrade: Callable[[Match, Decimal], tuple[int, int]] | None = None,
) -> list[JoinResult]:
    """Open or join the task of each match (in order), in a few statements for all of them.

    Matches are grouped by their task's open key: a group's first match opens the task unless
    an unresolved one exists, the others join it. The open tasks are read and locked in one
    statement, the new ones inserted in one, every joined task updated in one (occurrences,
    last seen, value at risk, grade), the lines in one (a line seen again counts the repeat and
    takes the latest figures) and the audit in one: an entry for each task opened, and one
    for the matches that joined each task, listing their events.

    With ``regrade`` (the engine's), a task joined by a new line is graded again on the value
    its lines put at risk together: forty SKUs short weigh more than the first one did. A
    grade only ever rises, so a notified priority is never quietly lowered. The task's value
    is kept as lines come and change (a line's old value out, its new one in): summing every
    line on every join was quadratic.
    """
    by_task: dict[str, list[int]] = {}
    for i, (match, _ctx) in enumerate(matches):
        members = by_task.get(match.group_key)
        if members is None:
            by_task[match.group_key] = [i]
        else:
            members.append(i)
    existing = _lock_open_tasks(conn, list(by_task))
    missing = [key for key in by_task if key not in existing]
    created: dict[str, int] = {}
    if missing:
        rows = [_task_values(matches[by_task[key][0]][0], now) for key in missing]
        stmt = dialect_insert(conn, TASKS).on_conflict_do_nothing(index_elements=["open_key"])
        inserted = conn.execute(stmt.returning(TASKS.c.id, TASKS.c.open_key), rows)
        created = {key: int(task_id) for task_id, key in inserted}
        # another worker opened these meanwhile: join its task
        existing |= _lock_open_tasks(conn, [key for key in missing if key not in created])
    previous = _line_values(
        conn,
        [
            (existing[key][0], matches[i][0].dedup_key)
            for key, members in by_task.items()
            if key in existing
            for i in members
        ],
    )
    slot: dict[int, JoinResult] = {}
    lines: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for key, members in by_task.items():
        group = [matches[i] for i in members]
        opened = key in created
        task_id, total = (created[key], Decimal(0)) if opened else existing[key]
        update = _join_task(
            task_id,
            total,
            group,
            opened=opened,
            now=now,
            regrade=regrade,
            previous=previous,
            lines=lines,
        )
        if update is not None:
            updates.append(update)
        # one result for every match that joined (frozen: shared, as equal ones would be)
        joined = JoinResult(task_id, False)
        for i in members:
            slot[i] = joined
        if opened:
            slot[members[0]] = JoinResult(task_id, True)
        if opened:
            entries.append(_audit_entry("opened", task_id, group[:1], now))
        joiners = group[1:] if opened else group
        if joiners:
            entries.append(_audit_entry("joined", task_id, joiners, now))
    if updates:
        conn.execute(_TASK_JOIN, updates)
    execute_many(conn, _line_upsert(conn), lines)
    audit.record_many(conn, entries)
    return [slot[i] for i in range(len(matches))]


def _audit_entry(
    action: str, task_id: int, group: list[tuple[Match, EventContext]], now: datetime
) -> dict[str, Any]:
    """One audit entry for the matches of one task's group that opened or joined it: the
    first one's event and decision, and with ``joined`` every event that joined (id, input
    digest, dedup key of its line), so a batch of a thousand lines is one entry, not a
    thousand (:func:`hub.routing.audit.audit_entries` finds an event listed there)."""
    match, ctx = group[0]
    state, reason = _state_of(match)
    details: dict[str, Any] = {
        "decision": match.summary(),
        "state": state,
        "state_reason": reason,
    }
    if action == "joined":
        details["events"] = [[c.event_id, c.digest, m.dedup_key] for m, c in group]
    return audit.entry(
        action,
        at=now,
        task_id=task_id,
        rule=match.rule.ref,
        event_id=ctx.event_id,
        input_digest=ctx.digest,
        **details,
    )


def _lock_open_tasks(conn: Connection, keys: list[str]) -> dict[str, tuple[int, Decimal]]:
    """Open key → (id, value at risk) of the unresolved tasks of ``keys``, locked till commit
    (PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock), so the values read
    here and the lines' old values stay consistent with what this transaction writes."""
    found: dict[str, tuple[int, Decimal]] = {}
    for i in range(0, len(keys), _IN_CHUNK):
        rows = conn.execute(
            select(TASKS.c.id, TASKS.c.open_key, TASKS.c.value_at_risk)
            .where(TASKS.c.open_key.in_(keys[i : i + _IN_CHUNK]))
            .order_by(TASKS.c.id)  # locks taken in one order: no deadlock between workers
            .with_for_update()
        )
        found.update((key, (int(task_id), Decimal(value))) for task_id, key, value in rows)
    return found


def _line_values(conn: Connection, pairs: list[tuple[int, str]]) -> dict[tuple[int, str], Decimal]:
    """(task id, dedup key) → value at risk of the lines among ``pairs`` that exist.

    Asked as ``(task_id = ? AND dedup_key IN (…)) OR …``, one term per task, which both
    databases answer from the (task, dedup key) index: SQLite answered the row-value form
    ``(task_id, dedup_key) IN (VALUES …)`` by scanning every line of every task, a cost that
    grew with the table (17 µs an event of the bulk file's first 20,000)."""
    keys: dict[int, list[str]] = {}
    for task_id, key in dict.fromkeys(pairs):
        keys.setdefault(task_id, []).append(key)
    terms = [
        (task_id, chunk[i : i + _IN_CHUNK])
        for task_id, chunk in keys.items()
        for i in range(0, len(chunk), _IN_CHUNK)
    ]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    found: dict[tuple[int, str], Decimal] = {}
    statement: list[str] = []
    params: list[Any] = []

    def flush() -> None:
        sql = f"SELECT task_id, dedup_key, value_at_risk FROM {LINES.name} WHERE " + " OR ".join(
            statement
        )
        rows = conn.exec_driver_sql(sql, tuple(params))
        found.update(((int(t), k), Decimal(v)) for t, k, v in rows)
        statement.clear()
        params.clear()

    for task_id, chunk in terms:
        if params and len(params) + len(chunk) > _IN_CHUNK:
            flush()
        marks = ", ".join([mark] * len(chunk))
        statement.append(f"(task_id = {mark} AND dedup_key IN ({marks}))")
        params += [task_id, *chunk]
    if params:
        flush()
    return found


def _state_of(match: Match) -> tuple[str, str | None]:
    """The state a task opened by ``match`` starts in, and why (maintenance windows)."""
    state, reason = TaskState.PENDING.value, None
    for hit in match.windows:
        if hit.action == "mute":
            state, reason = TaskState.HELD.value, f"muted by maintenance window {hit.window}"
        else:
            reason = f"delayed by maintenance window {hit.window} until {hit.until.isoformat()}"
    return state, reason


def _task_values(match: Match, now: datetime) -> dict[str, Any]:
    rule = match.rule.rule
    state, reason = _state_of(match)
    notify_after = now + rule.group_wait
    for hit in match.windows:
        if hit.action != "mute":
            notify_after = max(notify_after, hit.until)
    return {
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
        # the routing span (its event's trace) that opened the task, for its deliveries
        "traceparent": tracing.current().traceparent,
    }


def _join_task(
    task_id: int,
    total: Decimal,
    group: list[tuple[Match, EventContext]],
    *,
    opened: bool,
    now: datetime,
    regrade: Callable[[Match, Decimal], tuple[int, int]] | None,
    previous: dict[tuple[int, str], Decimal],
    lines: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """The lines of one task's group (added to ``lines``) and its update (None: opened by the
    group's only match, nothing to change)."""
    merged: dict[str, dict[str, Any]] = {}
    graded: tuple[int, int] | None = None
    for n, (match, ctx) in enumerate(group):
        key = match.dedup_key
        value = match.value_at_risk
        line = merged.get(key)
        # the latest figures win, every sighting counts
        if line is not None:
            total += value - Decimal(line["value_at_risk"])
            line["event_id"] = ctx.event_id
            line["fields"] = match.line
            line["value_at_risk"] = str(value)
            line["occurrences"] += 1
        else:
            total += value - previous.get((task_id, key), _ZERO)
            merged[key] = {
                "task_id": task_id,
                "dedup_key": key,
                "occurrences": 1,
                "first_seen": now,
                "last_seen": now,
                "event_id": ctx.event_id,
                "fields": match.line,
                "value_at_risk": str(value),
            }
        if regrade is not None and not (opened and n == 0):
            impact, priority = regrade(match, total)
            if graded is not None:
                impact, priority = min(impact, graded[0]), min(priority, graded[1])
            graded = (impact, priority)
    lines.extend(merged.values())
    joins = len(group) - 1 if opened else len(group)
    if not joins:
        return None
    # no regrade: a grade no task has, so the CASEs keep the task's own
    impact, priority = graded if graded is not None else (_UNGRADED, _UNGRADED)
    return {
        "b_id": task_id,
        "b_joins": joins,
        "b_seen": now,
        "b_value": str(total),
        "b_impact": impact,
        "b_priority": priority,
    }


_UNGRADED = 99
_ZERO = Decimal(0)
_TASK_JOIN = (
    TASKS.update()
    .where(TASKS.c.id == bindparam("b_id"))
    .values(
        occurrences=TASKS.c.occurrences + bindparam("b_joins", type_=Integer),
        last_seen=bindparam("b_seen", type_=UtcDateTime()),
        # news for the targets only once they have heard of the task
        changed_since_notice=TASKS.c.notified_at.is_not(None),
        value_at_risk=bindparam("b_value", type_=String),
        # lower numbers are graver; LEAST is not in SQLite, MIN(a, b) not in PostgreSQL
        impact=case(
            (TASKS.c.impact > bindparam("b_impact", type_=Integer), bindparam("b_impact")),
            else_=TASKS.c.impact,
        ),
        priority=case(
            (TASKS.c.priority > bindparam("b_priority", type_=Integer), bindparam("b_priority")),
            else_=TASKS.c.priority,
        ),
    )
)
"""Joins of one task: its occurrences, last seen, value at risk and (only rising) grade."""
_IN_CHUNK = 500
"""Bound parameters of one statement reading tasks or lines (SQLite caps them)."""
_LINE_UPSERTS: dict[str, Any] = {}


def _line_upsert(conn: Connection) -> Any:
    """INSERT of task lines, a repeat adding its sightings (built once per dialect: building
    ``excluded`` cost ~2 ms)."""
    stmt = _LINE_UPSERTS.get(conn.dialect.name)
    if stmt is None:
        insert = dialect_insert(conn, LINES)
        stmt = _LINE_UPSERTS[conn.dialect.name] = insert.on_conflict_do_update(
            index_elements=["task_id", "dedup_key"],
            set_={
                "occurrences": LINES.c.occurrences + insert.excluded.occurrences,
                "last_seen": insert.excluded.last_seen,
                "event_id": insert.excluded.event_id,
                "fields": insert.excluded.fields,
                "value_at_risk": insert.excluded.value_at_risk,
            },
        )
    return stmt


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


def task_detail(
    engine: Engine, task_id: int, *, lines_limit: int = LINES_PAGE, lines_after: int | None = None
) -> dict[str, Any]:
    """One task with its SLA clocks, deliveries and a page of its lines, oldest first.

    ``line_count`` says how many lines the task has; the page holds at most ``lines_limit`` of
    them after line id ``lines_after``, and ``lines_next`` is the ``lines_after`` of the next
    page (None on the last)."""
    if lines_limit < 1:
        raise ValueError(f"lines_limit must be at least 1, not {lines_limit}")
    with engine.connect() as conn:
        task = _task_dict(get_task(conn, task_id))
        page = select(LINES).where(LINES.c.task_id == task_id)
        if lines_after is not None:
            page = page.where(LINES.c.id > lines_after)
        lines = conn.execute(page.order_by(LINES.c.id).limit(lines_limit + 1)).all()
        count = conn.execute(
            select(func.count()).select_from(LINES).where(LINES.c.task_id == task_id)
        ).scalar_one()
        clocks = conn.execute(select(CLOCKS).where(CLOCKS.c.task_id == task_id)).all()
        deliveries = conn.execute(
            select(DELIVERIES).where(DELIVERIES.c.task_id == task_id).order_by(DELIVERIES.c.id)
        ).all()
    more = len(lines) > lines_limit
    lines = lines[:lines_limit]
    task["line_count"] = int(count)
    task["lines"] = [_task_dict(r) for r in lines]
    task["lines_next"] = int(lines[-1].id) if more else None
    task["sla_clocks"] = [_task_dict(r) for r in clocks]
    task["deliveries"] = [_task_dict(r) for r in deliveries]
    return task
