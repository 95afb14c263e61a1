"""Pages and counts of dead letters read the same through the API's engine and through the
DB-API connection ``crossdock dlq list`` opens (issue 17), on SQLite and PostgreSQL.

Both readers run the same SQL text (:mod:`hub.ops.listing`); what is checked here is that the
two ways of running it (SQLAlchemy's ``text()`` on an engine, ``sqlite3``/``psycopg`` with their
own parameter styles and raw values) give the same letters, cursors and counts, and that these
are the letters the filter means (worked out here in Python from what was stored).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url

from connectors.sdk.deadletter import DeadLetter, DeadLetterStatus
from connectors.sdk.decisions import Action, Decision, FailureType
from hub.deadletter.service import DeadLetterService
from hub.errors import ConfigError, DatabaseUnavailable
from hub.ops.filters import DeadLetterFilter
from hub.ops.listing import count_groups, list_letters
from hub.schema_revision import HEAD, SchemaBehind
from hub.sql_reader import DbapiReader, EngineReader, database_label, open_reader
from tests.services import hub_database

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


class CountError(ValueError):
    """A count that is not a number."""


class StampError(ValueError):
    """A time that is not a time."""


@dataclass(frozen=True)
class Stored:
    """What one letter was stored with, to work out what a filter means."""

    connector: str
    stage: str
    error: type[Exception]
    reason: str
    event_type: str | None
    at: datetime
    status: str = "open"


def _letters() -> list[Stored]:
    reasons = [
        "counted_qty 'twelve': not a decimal number",
        "counted_qty '12,5': not a decimal number",
        "discount 50% off_list is not a rule",
        "counted_at 'yesterday': not a time",
        "field sku: ab",
    ]
    found = []
    for i in range(60):
        found.append(
            Stored(
                connector=("stock-count", "pos", "documents")[i % 3],
                stage=("mapping", "decode")[i % 2],
                error=(CountError, StampError)[(i // 2) % 2],
                reason=f"{reasons[i % len(reasons)]} (row {i})",
                event_type="retail.inventory.adjusted" if i % 4 else None,
                at=T0 + timedelta(minutes=7 * i),
                status="discarded" if i % 5 == 0 else "open",
            )
        )
    return found


def _store(engine: Engine, letters: list[Stored]) -> None:
    for i, s in enumerate(letters):
        letter = DeadLetter(
            connector=s.connector,
            source=f"crossdock:file/count-{i}.csv",
            location=f"line {i + 2}",
            stage=s.stage,
            error=s.error(s.reason),
            decision=Decision(Action.FAIL, FailureType.DATA),
            payload=f"row {i}".encode(),
            content_type="text/csv",
            event_type=s.event_type,
        )
        with engine.begin() as conn:
            DeadLetterService.add_rows(conn, [letter.as_row(s.at)])
    service = DeadLetterService(engine)
    for letter_id, s in enumerate(letters, start=1):
        if s.status == "discarded":
            service.discard(letter_id, actor="test", reason="test")


def _means(flt: DeadLetterFilter, s: Stored) -> bool:
    return (
        flt.status in ("all", s.status)
        and (not flt.connector or s.connector == flt.connector)
        and (not flt.stage or s.stage == flt.stage)
        and (not flt.error_class or s.error.__qualname__ in flt.error_class)
        and (not flt.event_type or s.event_type == flt.event_type)
        and (flt.since is None or s.at >= flt.since)
        and (flt.until is None or s.at < flt.until)
        and (not flt.text or flt.text in s.reason)
    )


FILTERS = [
    DeadLetterFilter(),
    DeadLetterFilter(status="all"),
    DeadLetterFilter(status="discarded"),
    DeadLetterFilter(connector="pos", stage="decode"),
    DeadLetterFilter(error_class=f"{__name__}.StampError"),
    DeadLetterFilter(event_type="retail.inventory.adjusted", status="all"),
    DeadLetterFilter(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=5)),
    # the same instants given with another offset
    DeadLetterFilter(
        since=(T0 + timedelta(hours=2)).astimezone(timezone(timedelta(hours=2))),
        until=(T0 + timedelta(hours=5)).astimezone(timezone(timedelta(hours=-5))),
    ),
    DeadLetterFilter(text="decimal"),  # the trigram index (FTS5 on SQLite)
    DeadLetterFilter(text="decimal", connector="pos", status="all"),
    DeadLetterFilter(text="ab"),  # too short for a trigram
    DeadLetterFilter(text="50% off_list"),  # LIKE wildcards, escaped
    DeadLetterFilter(text="0%"),  # no letter: '%' is not a wildcard here
    DeadLetterFilter(text="row 1", since=T0 + timedelta(hours=1)),
    DeadLetterFilter(ids=(3, 4, 5, 30, 59), status="all"),
    DeadLetterFilter(ids=()),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def stored(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Engine, str, list[Stored]]]:
    """A hub database holding :func:`_letters`, its engine and its URL."""
    with hub_database(request.param, tmp_path) as engine:
        letters = _letters()
        _store(engine, letters)
        yield engine, engine.url.render_as_string(hide_password=False), letters


def _pages(reader: EngineReader | DbapiReader, flt: DeadLetterFilter, limit: int) -> list[list]:
    pages, before = [], None
    while True:
        page = list_letters(reader, flt, before=before, limit=limit)
        pages.append(page.letters)
        if page.next_cursor is None:
            return pages
        assert page.next_cursor == page.letters[-1]["id"]
        before = page.next_cursor


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: str(f.describe()))
def test_the_engine_and_a_db_api_connection_read_the_same_pages_and_counts(
    stored: tuple[Engine, str, list[Stored]], flt: DeadLetterFilter
) -> None:
    engine, url, letters = stored
    meant = [i for i, s in enumerate(letters, start=1) if _means(flt, s)][::-1]
    if flt.ids is not None:
        meant = [i for i in meant if i in flt.ids]
    with open_reader(url) as dbapi:
        assert dbapi.dialect == engine.dialect.name
        for limit in (7, 50):
            by_engine = _pages(EngineReader(engine), flt, limit)
            assert _pages(dbapi, flt, limit) == by_engine
            assert [x["id"] for page in by_engine for x in page] == meant
        counts = count_groups(dbapi, flt)
        assert counts == count_groups(engine, flt)
        assert sum(g.count for g in counts) == len(meant)
    # the API's call (an engine as it is) is the same read
    assert list_letters(engine, flt, limit=7) == list_letters(EngineReader(engine), flt, limit=7)


def test_the_filter_s_statuses_are_the_dead_letter_statuses() -> None:
    assert DeadLetterFilter().status == DeadLetterStatus.OPEN.value
    pattern = DeadLetterFilter.model_json_schema()["properties"]["status"]["pattern"]
    assert pattern == f"^({'|'.join([*(s.value for s in DeadLetterStatus), 'all'])})$"


def test_a_letter_reads_the_same_through_both(stored: tuple[Engine, str, list[Stored]]) -> None:
    engine, url, letters = stored
    with open_reader(url) as dbapi:
        (by_dbapi,) = list_letters(dbapi, DeadLetterFilter(ids=(2,))).letters
    assert by_dbapi == list_letters(engine, DeadLetterFilter(ids=(2,))).letters[0]
    assert by_dbapi["first_failed_at"] == letters[1].at.isoformat()
    assert by_dbapi["reason"] == letters[1].reason
    assert by_dbapi["error_class"] == f"{__name__}.CountError"
    assert by_dbapi["mapping"] is None


def test_opening_a_reader_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mysql://me:\\*\\*\\*@db/x: not a database URL"):
        open_reader("mysql://me:secret@db/x").__enter__()
    missing = tmp_path / "nothing" / "crossdock.db"
    with pytest.raises(DatabaseUnavailable, match="unable to open database file"):
        open_reader(f"sqlite:///{missing}").__enter__()
    assert not missing.parent.exists()  # never made
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(ConfigError, match="holds no hub tables"):
        open_reader(f"sqlite:///{empty}").__enter__()
    with hub_database("sqlite", tmp_path) as engine:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'r0004'")
        with pytest.raises(SchemaBehind, match=f"at r0004, this hub needs {HEAD}"):
            open_reader(engine.url.render_as_string()).__enter__()


def test_a_database_label_hides_the_password_as_sqlalchemy_does() -> None:
    for url in (
        "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test",
        "postgresql://us%40er:p%2Fw@h:5/db?sslmode=require",
        "postgresql://postgres@127.0.0.1/test",
        "sqlite:////tmp/x.db",
    ):
        assert database_label(url) == make_url(url).render_as_string(hide_password=True)
