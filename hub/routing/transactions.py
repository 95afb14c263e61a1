"""Write transactions that take the write lock first, so concurrent workers queue instead of fail.

On SQLite a transaction that reads first and writes later can fail with "database is locked"
when another worker wrote in between (WAL snapshots cannot be upgraded); ``BEGIN IMMEDIATE``
takes the write lock up front and waits (``busy_timeout``) for it instead. PostgreSQL needs
nothing special: the unique constraints and ``ON CONFLICT`` settle races there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

__all__ = ["dialect_insert", "write_transaction"]


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
