"""Inhibition: a task of a source rule that is still unresolved holds back tasks of target rules.

Checked when a task's group wait ends (not when its first exception arrives), so variances
counted just *before* the connector's dead letters crossed the burst threshold are held back too.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from hub.routing.rules import Inhibition
from hub.routing.tables import TaskRow
from hub.routing.taxonomy import TaskState

__all__ = ["inhibitor_of"]

_TASKS = cast(Table, TaskRow.__table__)
_ACTIVE = [TaskState.PENDING, TaskState.OPEN, TaskState.ESCALATED, TaskState.ACKNOWLEDGED]


def inhibitor_of(
    conn: Connection, inhibitions: list[Inhibition], task: Any
) -> tuple[Inhibition, int] | None:
    """The inhibition and source task holding ``task`` back, or None when nothing does."""
    for inhibition in inhibitions:
        if task.rule_id not in inhibition.target_rules:
            continue
        sources = conn.execute(
            select(_TASKS.c.id, _TASKS.c.labels).where(
                _TASKS.c.rule_id.in_(inhibition.source_rules),
                _TASKS.c.state.in_([s.value for s in _ACTIVE]),
                _TASKS.c.id != task.id,
            )
        ).all()
        for source in sources:
            if all(
                (source.labels or {}).get(name, "") == (task.labels or {}).get(name, "")
                for name in inhibition.equal
            ):
                return inhibition, int(source.id)
    return None
