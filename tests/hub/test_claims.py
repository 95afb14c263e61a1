"""Consumer claims (hub.dedup.claim_events): an id is claimed once, however many statements."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from hub.dedup import ProcessedEventRow, claim_events
from tests.services import hub_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The embedded SQLite database, and PostgreSQL (its own database)."""
    with hub_database(request.param, tmp_path) as engine:
        yield engine


def test_ids_are_claimed_once_across_statements_and_consumers(db: Engine) -> None:
    first = [f"ev-{i}" for i in range(2500)]  # three statements of a thousand
    with db.begin() as conn:
        assert claim_events(conn, "routing", [*first, "ev-7"]) == set(first)
    again = [*first[1000:1100], "ev-new"]
    with db.begin() as conn:
        assert claim_events(conn, "routing", again) == {"ev-new"}
        assert claim_events(conn, "other", ["ev-1"]) == {"ev-1"}
        assert claim_events(conn, "routing", []) == set()
    with db.connect() as conn:
        table = ProcessedEventRow.__table__
        stamps = conn.execute(select(table.c.processed_at).limit(1)).scalar_one()
        assert stamps is not None
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 2502
