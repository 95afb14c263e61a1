"""The audit trail: every routing decision and action, appended, never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Select, Table, Text, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection

from hub.routing.tables import AuditRow
from hub.routing.transactions import execute_many
from hub.storage import json_text

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
    """Entries in order, filtered; ``rule`` matches ``id`` or ``id@version``; ``event_id``
    finds the event's own entries and the ``joined`` entries that list it among theirs."""
    stmt = select(_TABLE).where(_TABLE.c.id > after_id)
    if task_id is not None:
        stmt = stmt.where(_TABLE.c.task_id == task_id)
    if rule is not None:
        stmt = stmt.where((_TABLE.c.rule == rule) | _TABLE.c.rule.startswith(rule + "@"))
    if action is not None:
        stmt = stmt.where(_TABLE.c.action == action)
    if event_id is None:
        return _read(engine, stmt.order_by(_TABLE.c.id).limit(limit))
    # a joined entry lists its events in its details: found by their JSON text (as the
    # column's serializer writes it), then checked
    escaped = json_text(event_id).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    listed = (_TABLE.c.action == "joined") & sql_cast(_TABLE.c.details, Text).like(
        f"%{escaped}%", escape="\\"
    )
    stmt = stmt.where((_TABLE.c.event_id == event_id) | listed).order_by(_TABLE.c.id)
    found: list[dict[str, Any]] = []
    while len(found) < limit:
        page = _read(engine, stmt.where(_TABLE.c.id > after_id).limit(limit))
        if not page:
            break
        after_id = int(page[-1]["id"])
        found += [e for e in page if e["event_id"] == event_id or _lists(e, event_id)]
    return found[:limit]


def _read(engine: Engine, stmt: Select[Any]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [{**dict(row), "at": row["at"].isoformat() if row["at"] else None} for row in rows]


def _lists(entry: dict[str, Any], event_id: str) -> bool:
    """Whether a joined entry lists ``event_id`` among its events."""
    events = (entry.get("details") or {}).get("events") or ()
    return any(listed and listed[0] == event_id for listed in events)
