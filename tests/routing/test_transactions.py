"""execute_many: the rows it writes are the rows SQLAlchemy's own executemany writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, select

from hub.routing import audit
from hub.routing.tables import AuditRow
from hub.routing.transactions import execute_many, write_transaction
from tests.services import hub_database

TABLE = cast(Table, AuditRow.__table__)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The embedded SQLite database, and PostgreSQL (its own database)."""
    with hub_database(request.param, tmp_path) as engine:
        yield engine


def rows() -> list[dict[str, Any]]:
    """Audit rows whose time is the row before's object, an equal one, another zone's, or
    another time."""
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    berlin = timezone(timedelta(hours=1))
    later = at + timedelta(minutes=5)
    times = [at, at, datetime(2026, 11, 23, 8, 0, tzinfo=UTC), at.astimezone(berlin), later, at]
    found = []
    for n, when in enumerate(times * 3):
        details: dict[str, Any] = {"n": n, "events": [[f"ev-{n}", "d" * 64, "S1/A"]]}
        if n % 4 == 0:
            details = {}
        found.append(
            audit.entry(
                "joined" if n % 2 else "opened",
                at=when,
                task_id=n if n % 3 else None,
                rule="r@1" if n % 5 else None,
                event_id=f"ev-{n}",
                input_digest=None if n % 7 == 0 else f"{n:064x}",
                **details,
            )
        )
    return found


def test_execute_many_writes_what_sqlalchemys_executemany_writes(db: Engine) -> None:
    written = rows()
    with write_transaction(db) as conn:
        conn.execute(TABLE.insert(), written)
        execute_many(conn, TABLE.insert(), written)
    with db.connect() as conn:
        stored = [row[1:] for row in conn.execute(select(TABLE).order_by(TABLE.c.id))]
    assert len(stored) == 2 * len(written)
    assert stored[: len(written)] == stored[len(written) :]
