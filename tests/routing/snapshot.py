"""What routing left in a database, as comparable values: two ways of routing the same events
must leave the same snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from hub.declarative import Base
from hub.dedup import ProcessedEventRow

#: written with the wall clock, not the router's: they differ between any two runs
_WALL_CLOCK = {("processed_events", "processed_at")}


def snapshot(db: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the routing tables and the routing consumer's claims, in id order."""
    tables = sorted(
        (t for name, t in Base.metadata.tables.items() if name.startswith("routing_")),
        key=lambda t: t.name,
    )
    tables.append(ProcessedEventRow.__table__)  # type: ignore[arg-type]
    found: dict[str, list[dict[str, Any]]] = {}
    with db.connect() as conn:
        for table in tables:
            order = list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(*order)).mappings().all()
            found[table.name] = [
                {k: v for k, v in row.items() if (table.name, k) not in _WALL_CLOCK} for row in rows
            ]
    return found


def by_group(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """``tables`` with row ids left out and tasks named by (rule, group key) instead of their
    id, each table sorted: what two ways of routing must agree on when they may open the same
    tasks in another order (a batch opens its groups' tasks together)."""
    task_key = {t["id"]: (t["rule_id"], t["group_key"]) for t in tables.get("routing_tasks", [])}

    def plain(row: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k != "id"}
        if "task_id" in out:
            out["task_id"] = task_key.get(out["task_id"], out["task_id"])
        return out

    return {name: sorted((plain(row) for row in rows), key=repr) for name, rows in tables.items()}
