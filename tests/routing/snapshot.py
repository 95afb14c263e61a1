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
