"""Write transactions that take the write lock first, so concurrent workers queue instead of fail.

On SQLite a transaction that reads first and writes later can fail with "database is locked"
when another worker wrote in between (WAL snapshots cannot be upgraded); ``BEGIN IMMEDIATE``
takes the write lock up front and waits (``busy_timeout``) for it instead. PostgreSQL needs
nothing special: the unique constraints and ``ON CONFLICT`` settle races there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

__all__ = ["dialect_insert", "execute_many", "write_transaction"]


def dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with the dialect's ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction holding the write lock; committed on success."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


_Processor = Callable[[Any], Any] | None
_Prepared = tuple[str, list[tuple[str, str, _Processor]], bool, Insert]
"""SQL, (parameter, column key, processor) each, positional, and the statement (kept alive:
the cache is by its identity)."""
_PREPARED: dict[tuple[int, str, tuple[str, ...]], _Prepared] = {}


def _prepare(conn: Connection, stmt: Insert, keys: tuple[str, ...]) -> _Prepared:
    """The statement's SQL for ``keys``, each parameter's name, column and bind processor,
    and whether the driver takes them by position; once per statement, dialect and keys."""
    dialect = conn.dialect
    found = _PREPARED.get((id(stmt), dialect.name, keys))
    if found is None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        table = stmt.table
        assert isinstance(table, Table)
        params = []
        for name in compiled.positiontup or list(compiled.binds):
            column = table.c[compiled.binds[name].key]
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            params.append((name, column.key, process))
        found = (str(compiled), params, compiled.positiontup is not None, stmt)
        _PREPARED[(id(stmt), dialect.name, keys)] = found
    return found


def execute_many(conn: Connection, stmt: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """``stmt`` (an INSERT, an upsert) for every row, as one driver ``executemany``.

    Each value goes through its column's bind processor (UTC datetimes, JSON) as SQLAlchemy
    would convert it, but not through its per-row parameter machinery, which cost ~20 µs a row
    of the routing audit and task lines (three rows an event). Every row has the keys of the
    first."""
    if not rows:
        return
    sql, params, positional, _stmt = _prepare(conn, stmt, tuple(rows[0]))
    # a value that is the same object as the row before's (the batch's time on every row) is
    # converted once: its processor is a function of the value
    seen: list[Any] = [_NOTHING] * len(params)
    done: list[Any] = [None] * len(params)
    converted: list[Any] = []
    for row in rows:
        values: list[Any] = []
        for i, (_name, key, process) in enumerate(params):
            value = row[key]
            if process is not None:
                if value is not seen[i]:
                    seen[i], done[i] = value, process(value)
                value = done[i]
            values.append(value)
        converted.append(
            tuple(values)
            if positional
            else {name: value for (name, _k, _p), value in zip(params, values, strict=True)}
        )
    conn.exec_driver_sql(sql, converted)


_NOTHING = object()
