"""The hub's SQL storage layer: the tables' MetaData, engines, and inserts that skip duplicates.

SQLite file by default, PostgreSQL by URL (SQLAlchemy 2 Core). The modules that own tables
declare them on :data:`METADATA`, as Core tables or as classes mapped by
:class:`hub.declarative.Base` (whose MetaData it is); :mod:`hub.database` opens a database
migrated to the head revision (:mod:`hub.migrations` makes every table). Nothing here loads
the ORM: a command that only reads (``crossdock dlq list``) starts without it (a quarter of
SQLAlchemy's import cost, 250 M instructions).

Dead letters, checkpoints and the consumers' dedup records live here, so a restart of the
process finds them again. SQLite runs in WAL mode so readers (the CLI, the ops page) never
block the pipeline's writes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any, overload

import orjson
from sqlalchemy import Engine, Insert, MetaData, Table, create_engine, event
from sqlalchemy.engine import Connection

from hub.sql_reader import SQLITE_BUSY_TIMEOUT_MS

__all__ = ["METADATA", "WAL_AUTOCHECKPOINT_PAGES", "engine_for", "insert_ignoring_duplicates"]

WAL_AUTOCHECKPOINT_PAGES = 10_000
"""Pages the hub database's WAL grows to before a writer copies it back (SQLite's default
is 1,000; see :func:`_sqlite_pragmas`)."""


#: every hub table but the Alembic-era ones of :mod:`hub.migrated`: one MetaData for the database
METADATA = MetaData()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # first: a hub starting while another migrates the same file waits instead of failing
    # "database is locked" on the pragmas below (seen with two processes starting at once)
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    _ensure_wal(cur)
    # NORMAL in WAL is durable against a killed process (the promise we make); FULL adds an
    # fsync per commit for power loss.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # A statement that fires triggers (the ops tallies on dead_letters) keeps a statement
    # journal; in a temp file it cost a redrive ~150 µs per letter, in memory next to nothing.
    cur.execute("PRAGMA temp_store=MEMORY")
    # Routing writes ~1,000 pages a transaction (a claim per event lands on a random page of
    # the claims' index: event ids are hashes), so at the default 1,000 pages the WAL was
    # copied back into the file, with an fsync, after nearly every transaction, and a page
    # changed by ten transactions was copied ten times: 3.6 GB written for 300,000 routed rows.
    # At 10,000 pages (a WAL of up to 40 MB) that run took 24.6 s instead of 27.5 s.
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cur.close()


def _ensure_wal(cur: Any, wait: float = 10.0) -> None:
    """WAL is a property of the file, set by the first connection. Switching needs a lock that
    SQLite does not wait for (busy_timeout does not apply), so two processes opening a new
    file at once retry until one of them has switched it (seen: "database is locked")."""
    deadline = time.monotonic() + wait
    while str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() not in ("wal", "memory"):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def json_text(value: Any) -> str:
    """A JSON column's text: orjson (the standard library's encoder was ~20 µs of each routing
    audit row), the standard library for what orjson refuses (an int past 64 bits…), so a
    value stored before is stored now."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def engine_for(url: str) -> Engine:
    """An engine for ``url`` (SQLite with the pragmas above); :func:`hub.database.connect`
    also checks its schema."""
    engine = create_engine(url, future=True, json_serializer=json_text)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@overload
def insert_ignoring_duplicates(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> int: ...
@overload
def insert_ignoring_duplicates(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    returning: str,
) -> list[Any]: ...
def insert_ignoring_duplicates(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    returning: str | None = None,
) -> int | list[Any]:
    """Insert ``rows``, skipping those whose ``keys`` already exist.

    Returns the number of rows inserted, or with ``returning`` that column of each inserted row.
    """
    if not rows:
        return [] if returning else 0
    stmt: Insert
    # each dialect's insert is imported with its first use: PostgreSQL's module (and the driver
    # modules it loads) costs a fifth of a `crossdock dlq list` on an embedded hub
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    else:  # pragma: no cover - other databases are not supported yet
        raise NotImplementedError(f"database {conn.dialect.name!r} is not supported")
    if returning:
        result = conn.execute(stmt.returning(table.c[returning]), list(rows))
        return [r[0] for r in result]
    result = conn.execute(stmt, list(rows))
    return int(result.rowcount or 0)
