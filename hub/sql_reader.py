"""Reading SQL text from the hub's database: through an SQLAlchemy engine, or a bare DB-API
connection opened from the database URL.

What a page of dead letters or their counts needs is a few ``SELECT``s written once as SQL
text with named parameters (``:name``). The API and the ops page hold an engine and read
them through :class:`EngineReader`; ``crossdock dlq list`` reads the same statements through
:func:`open_reader`'s :class:`DbapiReader` (``sqlite3``, or ``psycopg`` for PostgreSQL), and
so starts without importing SQLAlchemy (its import alone is 943 M instructions, ~0.15 s).
Values come back raw from either: SQLite's times are text (:func:`parse_time` reads them),
PostgreSQL's ``timestamptz`` aware datetimes.

The DB-API connection honours for reading what :func:`hub.storage.engine_for` sets on SQLite
(the busy timeout, temporary tables in memory), never creates a file, and writes nothing
(``query_only``); like :func:`hub.database.connect` it refuses a database whose schema is not
this code's (:func:`hub.schema_revision.require_head`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote, unquote

from hub.errors import ConfigError, DatabaseUnavailable
from hub.schema_revision import require_head

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "DbapiReader",
    "EngineReader",
    "SqlReader",
    "database_failure",
    "database_label",
    "open_reader",
    "parse_time",
    "reader_of",
    "time_param",
]

#: how long an SQLite connection waits for another's lock (a hub writing, or migrating)
SQLITE_BUSY_TIMEOUT_MS = 10_000

# an SQLAlchemy URL: ``name://user:password@host…`` (a password may hold '/', never '@')
_URL = re.compile(r"^(?P<name>[\w+]+)://(?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?")
# a named parameter of the SQL text, as SQLAlchemy's text() reads them
_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
# what SQLAlchemy's DateTime stores on SQLite (naive, the hub's times being UTC)
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


class SqlReader(Protocol):
    """Runs a ``SELECT`` given as SQL text with ``:name`` parameters; rows as tuples."""

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: what the SQL text must be written for."""
        ...

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` run with ``params``."""
        ...


class EngineReader:
    """:class:`SqlReader` over an SQLAlchemy engine (the API's) or an open connection."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind

    @property
    def dialect(self) -> str:
        """The engine's dialect name."""
        return str(self.bind.dialect.name)

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of ``sql``, run on a connection of the engine (or the connection)."""
        # imported here: this module is what `crossdock dlq list` reads through without
        # SQLAlchemy; whoever holds an engine has imported it already
        from sqlalchemy import Connection, text

        if isinstance(self.bind, Connection):
            return [tuple(r) for r in self.bind.execute(text(sql), dict(params))]
        with self.bind.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), dict(params))]


class DbapiReader:
    """:class:`SqlReader` over a DB-API connection (``sqlite3`` or ``psycopg``); close it."""

    def __init__(self, connection: Any, dialect: str, url: str) -> None:
        self.connection = connection
        self.url = url
        self._dialect = dialect
        # what DATABASE_ERRORS are to an engine: the database down or gone, said in one line
        self._errors: tuple[type[Exception], ...] = (
            (sqlite3.OperationalError, sqlite3.InterfaceError)
            if dialect == "sqlite"
            else _psycopg_errors()
        )

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._dialect

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of ``sql``; psycopg gets its own parameter style (``%(name)s``)."""
        if self._dialect == "postgresql":
            sql = _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
        cur = self.connection.cursor()
        try:
            cur.execute(sql, dict(params))
            return [tuple(r) for r in cur.fetchall()]
        except self._errors as exc:
            raise database_failure(self.url, exc) from exc
        finally:
            cur.close()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _psycopg_errors() -> tuple[type[Exception], ...]:
    # imported with the first PostgreSQL reader: an embedded hub never loads the driver
    import psycopg

    return (psycopg.OperationalError, psycopg.InterfaceError)


def reader_of(db: SqlReader | Engine) -> SqlReader:
    """``db`` as a reader: an engine is wrapped, a reader is itself."""
    if hasattr(db, "rows"):
        return cast(SqlReader, db)
    return EngineReader(db)


@contextmanager
def open_reader(url: str) -> Iterator[DbapiReader]:
    """A DB-API reader on the database at ``url`` (``sqlite:///…``, ``postgresql://…`` or
    ``postgresql+psycopg://…``), its schema checked; closed on leaving.

    :class:`~hub.errors.ConfigError` for another kind of URL; :class:`DatabaseUnavailable`
    when the database cannot be opened; :class:`hub.schema_revision.SchemaBehind` when it is
    not at this code's revision.
    """
    reader = _connect(url)
    try:
        require_head(reader, database_label(url))
        yield reader
    finally:
        reader.close()


def _connect(url: str) -> DbapiReader:
    found = _URL.match(url)
    name = found.group("name") if found else ""
    if name in ("sqlite", "sqlite+pysqlite"):
        return _sqlite(url)
    if name in ("postgresql", "postgresql+psycopg"):
        return _postgresql(url, name)
    raise ConfigError(
        f"database {database_label(url)}: not a database URL this command reads "
        "(sqlite:///path, postgresql://… or postgresql+psycopg://…)"
    )


def _sqlite(url: str) -> DbapiReader:
    quoted, _, query = url.split("://", 1)[1][1:].partition("?")
    path = unquote(quoted)  # as SQLAlchemy reads the URL's path
    if query or not path or path == ":memory:" or path.startswith("file:"):
        raise ConfigError(
            f"database {url}: a command that reads a hub's database needs an SQLite file "
            "(sqlite:///path, without options)"
        )
    try:
        # mode=rw: an existing file only, never a new empty one
        conn = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise database_failure(url, exc) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA temp_store=MEMORY")  # GROUP BY and ORDER BY sort in memory
        conn.execute("PRAGMA query_only=ON")
    except sqlite3.Error as exc:
        conn.close()
        raise database_failure(url, exc) from exc
    return DbapiReader(conn, "sqlite", url)


def _postgresql(url: str, name: str) -> DbapiReader:
    # imported with the first PostgreSQL reader: an embedded hub never loads the driver
    import psycopg

    conninfo = "postgresql" + url[len(name) :]
    try:
        conn = psycopg.connect(conninfo, autocommit=True)
    except psycopg.Error as exc:
        raise database_failure(url, exc) from exc
    return DbapiReader(conn, "postgresql", url)


def database_label(url: str) -> str:
    """The database URL without its password, for messages."""
    found = _URL.match(url)
    if found is None:
        return url.split("@", 1)[-1]
    if found.group("password") is None:
        return url
    return f"{found.group('name')}://{found.group('user')}:***@{url[found.end() :]}"


def database_failure(url: str, exc: BaseException) -> DatabaseUnavailable:
    """``exc`` (the driver's) as one line naming the database and the driver's first words."""
    orig = getattr(exc, "orig", None) or exc
    reason = (str(orig).strip() or type(orig).__name__).splitlines()[0]
    if url.startswith("sqlite") and "unable to open database file" in reason:
        reason += " (does its folder exist, and may this user write there?)"
    return DatabaseUnavailable(f"database {database_label(url)}: {reason}")


def time_param(value: datetime, dialect: str) -> Any:
    """``value`` as a parameter compared with a stored time: on SQLite the text SQLAlchemy's
    ``DateTime`` stores (UTC, naive), elsewhere the aware time."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if dialect == "sqlite":
        return aware.astimezone(UTC).strftime(_SQLITE_TIME)
    return aware


def parse_time(value: Any) -> datetime:
    """A stored time as aware UTC: SQLite hands back text (or a naive datetime through a
    typed SQLAlchemy column); the hub stores UTC only."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
