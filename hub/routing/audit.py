"""The audit trail: every routing decision and action, appended, never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, select
from sqlalchemy.engine import Connection

from hub.routing.tables import AuditRow
from hub.routing.transactions import execute_many

__all__ = ["audit_entries", "entry", "record", "record_many"]

_TABLE = cast(Table, AuditRow.__table__)
_INSERT = _TABLE.insert()


def entry(
    action: str,
    *,
    at: datetime,
    task_id: int | None = None,
    rule: str | None = None,
    event_id: str | None = None,
    input_digest: str | None = None,
    actor: str = "router",
    **details: Any,
) -> dict[str, Any]:
    """One entry as a row, for :func:`record_many`."""
    return {
        "at": at,
        "action": action,
        "task_id": task_id,
        "rule": rule,
        "event_id": event_id,
        "input_digest": input_digest,
        "actor": actor,
        "details": details,
    }


def record(
    conn: Connection,
    action: str,
    *,
    at: datetime,
    task_id: int | None = None,
    rule: str | None = None,
    event_id: str | None = None,
    input_digest: str | None = None,
    actor: str = "router",
    **details: Any,
) -> None:
    """Append one entry in the caller's transaction (so it commits with what it describes)."""
    record_many(
        conn,
        [
            entry(
                action,
                at=at,
                task_id=task_id,
                rule=rule,
                event_id=event_id,
                input_digest=input_digest,
                actor=actor,
                **details,
            )
        ],
    )


def record_many(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Append entries made by :func:`entry`, in order, in one driver ``executemany``."""
    execute_many(conn, _INSERT, entries)


def audit_entries(
    engine: Engine,
    *,
    task_id: int | None = None,
    rule: str | None = None,
    action: str | None = None,
    event_id: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Entries in order, filtered; ``rule`` matches ``id`` or ``id@version``."""
    stmt = select(_TABLE).where(_TABLE.c.id > after_id)
    if task_id is not None:
        stmt = stmt.where(_TABLE.c.task_id == task_id)
    if rule is not None:
        stmt = stmt.where((_TABLE.c.rule == rule) | _TABLE.c.rule.startswith(rule + "@"))
    if action is not None:
        stmt = stmt.where(_TABLE.c.action == action)
    if event_id is not None:
        stmt = stmt.where(_TABLE.c.event_id == event_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(_TABLE.c.id).limit(limit)).mappings().all()
    return [{**dict(row), "at": row["at"].isoformat() if row["at"] else None} for row in rows]
