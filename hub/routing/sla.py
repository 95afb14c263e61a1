"""SLA clocks: start, pause and stop on task states; notify at 50 %, 75 % and breach.

A clock keeps the time it has run (``elapsed_s``) plus when it last started running, so pauses
are simply not counted. Which states start, pause and stop a clock come from the rule's SLA
definition, copied onto the task when it opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from hub.routing.rules import SlaDefinition
from hub.routing.tables import SlaClockRow
from hub.routing.transactions import dialect_insert

__all__ = ["apply_state", "due_thresholds", "elapsed", "sla_snapshot", "start_clocks"]

_TABLE = cast(Table, SlaClockRow.__table__)


def sla_snapshot(definitions: Sequence[SlaDefinition]) -> list[dict[str, Any]]:
    """The definitions as JSON for the task row (what the task promised when it opened)."""
    return [
        {
            "name": d.name,
            "within_s": d.within.total_seconds(),
            "start": [s.value for s in d.start],
            "pause": [s.value for s in d.pause],
            "stop": [s.value for s in d.stop],
            "notify_at": sorted(d.notify_at),
        }
        for d in definitions
    ]


def _status_for(definition: dict[str, Any], state: str) -> str | None:
    if state in definition["stop"]:
        return "stopped"
    if state in definition["pause"]:
        return "paused"
    if state in definition["start"]:
        return "running"
    return None


def elapsed(row: Any, now: datetime) -> float:
    """Seconds the clock has run up to ``now``."""
    running = row.status == "running" and row.running_since is not None
    return float(row.elapsed_s) + ((now - row.running_since).total_seconds() if running else 0.0)


def start_clocks(
    conn: Connection, task_id: int, definitions: list[dict[str, Any]], state: str, now: datetime
) -> None:
    """Create the task's clocks, in the status its current ``state`` gives them."""
    for d in definitions:
        status = _status_for(d, state) or "pending"
        conn.execute(
            dialect_insert(conn, _TABLE)
            .values(
                task_id=task_id,
                name=d["name"],
                within_s=d["within_s"],
                status=status,
                elapsed_s=0.0,
                running_since=now if status == "running" else None,
                notified_pct=0,
                breached=False,
            )
            .on_conflict_do_nothing(index_elements=["task_id", "name"])
        )


def apply_state(
    conn: Connection, task_id: int, definitions: list[dict[str, Any]], state: str, now: datetime
) -> None:
    """Move the task's clocks as its new ``state`` says (a stopped clock never restarts)."""
    by_name = {d["name"]: d for d in definitions}
    rows = conn.execute(select(_TABLE).where(_TABLE.c.task_id == task_id)).all()
    for row in rows:
        d = by_name.get(row.name)
        if d is None or row.status == "stopped":
            continue
        status = _status_for(d, state)
        if status is None or status == row.status:
            continue
        conn.execute(
            _TABLE.update()
            .where(_TABLE.c.id == row.id)
            .values(
                status=status,
                elapsed_s=elapsed(row, now),
                running_since=now if status == "running" else None,
            )
        )


def due_thresholds(row: Any, notify_at: Sequence[int], now: datetime) -> list[int]:
    """Thresholds (percent) crossed since the last notification, in order."""
    if row.status not in ("running", "paused") or row.within_s <= 0:
        return []
    pct = elapsed(row, now) / row.within_s * 100
    return [t for t in sorted(notify_at) if row.notified_pct < t <= pct]
