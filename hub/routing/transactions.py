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
_Convert = Callable[[Sequence[dict[str, Any]]], list[Any]]
_Prepared = tuple[str, _Convert, Insert]
"""SQL, the rows' conversion to the driver's parameters, and the statement (kept alive: the
cache is by its identity)."""
_PREPARED: dict[tuple[int, str, tuple[str, ...]], _Prepared] = {}


def _prepare(conn: Connection, stmt: Insert, keys: tuple[str, ...]) -> _Prepared:
    """The statement's SQL for ``keys`` and the conversion of rows to its parameters (each
    value through its column's bind processor, in the driver's order or by name); once per
    statement, dialect and keys."""
    dialect = conn.dialect
    found = _PREPARED.get((id(stmt), dialect.name, keys))
    if found is None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        table = stmt.table
        assert isinstance(table, Table)
        params: list[tuple[str, str, _Processor]] = []
        for name in compiled.positiontup or list(compiled.binds):
            column = table.c[compiled.binds[name].key]
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            params.append((name, column.key, process))
        convert = _converter(params, positional=compiled.positiontup is not None)
        found = (str(compiled), convert, stmt)
        _PREPARED[(id(stmt), dialect.name, keys)] = found
    return found


def _converter(params: list[tuple[str, str, _Processor]], *, positional: bool) -> _Convert:
    """The rows → parameters loop written out for one statement (a loop over the parameters
    inside the loop over the rows cost ~1 µs a value): a value that is the same object as the
    row before's (the batch's time on every row) is converted once, its processor being a
    function of the value."""
    namespace: dict[str, Any] = {"_NOTHING": _NOTHING}
    setup: list[str] = []
    body: list[str] = []
    values: list[str] = []
    for i, (name, key, process) in enumerate(params):
        if process is None:
            value = f"r[{key!r}]"
        else:
            namespace[f"p{i}"] = process
            setup.append(f"    s{i} = _NOTHING\n    d{i} = None\n")
            body.append(
                f"        v{i} = r[{key!r}]\n"
                f"        if v{i} is not s{i}:\n"
                f"            s{i} = v{i}\n"
                f"            d{i} = p{i}(v{i})\n"
            )
            value = f"d{i}"
        values.append(value if positional else f"{name!r}: {value}")
    row = f"({', '.join(values)},)" if positional else f"{{{', '.join(values)}}}"
    # the source is built from the statement's column keys and bind names, written with repr
    source = (
        "def convert(rows):\n"
        + "".join(setup)
        + "    out = []\n    add = out.append\n    for r in rows:\n"
        + "".join(body)
        + f"        add({row})\n    return out\n"
    )
    exec(source, namespace)
    convert: _Convert = namespace["convert"]
    return convert


def execute_many(conn: Connection, stmt: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """``stmt`` (an INSERT, an upsert) for every row, as one driver ``executemany``.

    Each value goes through its column's bind processor (UTC datetimes, JSON) as SQLAlchemy
    would convert it, but not through its per-row parameter machinery, which cost ~20 µs a row
    of the routing audit and task lines (three rows an event). Every row has the keys of the
    first."""
    if not rows:
        return
    sql, convert, _stmt = _prepare(conn, stmt, tuple(rows[0]))
    conn.exec_driver_sql(sql, convert(rows))


_NOTHING = object()
