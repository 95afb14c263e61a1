"""Which migration a hub database is at, read with SQL text through any :class:`SqlReader`.

:mod:`hub.migrations` decides with it whether a database opened through an engine must be
migrated or refused; ``crossdock dlq list`` refuses with it a database its DB-API connection
could not read right (:func:`require_head`), without SQLAlchemy or Alembic. A new migration
moves :data:`HEAD` (a test checks it is Alembic's head).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.errors import ConfigError, HubError

if TYPE_CHECKING:
    from hub.sql_reader import SqlReader

__all__ = ["HEAD", "SchemaBehind", "SchemaState", "read_schema_state", "require_head"]

#: the newest revision of ``hub/migrations/versions/``, so that an up-to-date database is
#: recognised without loading Alembic
HEAD = "r0006"

# the tables of the connection's own schema (SQLAlchemy's inspector looks at the same)
_TABLES = {
    "sqlite": (
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite/_%' "
        "ESCAPE '/'"
    ),
    "postgresql": (
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
    ),
}


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands: its revision (None: none recorded) and whether it is empty."""

    current: str | None
    empty: bool

    @property
    def up_to_date(self) -> bool:
        """At this code's head."""
        return self.current == HEAD

    @property
    def ahead(self) -> bool:
        """At a revision newer than this code's (ids are ``r`` and a zero-padded number)."""
        return self.current is not None and self.current > HEAD


class SchemaBehind(HubError):
    """The database's schema is older (or newer) than this code's; it is not used as it is."""

    def __init__(self, state: SchemaState) -> None:
        self.state = state
        at = state.current or "no revision (made before the migrations)"
        if state.ahead:
            message = (
                f"the database is at revision {state.current}, newer than this hub knows "
                f"({HEAD}): run the hub version that migrated it, or a newer one"
            )
        else:
            message = f"the database is at {at}, this hub needs {HEAD}"
        super().__init__(message)


def read_schema_state(reader: SqlReader) -> SchemaState:
    """The revision the database behind ``reader`` is at, and whether it has any table."""
    tables = {row[0] for row in reader.rows(_TABLES[reader.dialect], {})}
    if "alembic_version" not in tables:
        return SchemaState(None, empty=not tables)
    found = reader.rows("SELECT version_num FROM alembic_version", {})
    return SchemaState(found[0][0] if found else None, empty=False)


def require_head(reader: SqlReader, label: str) -> None:
    """Refuse to read a database that is not at :data:`HEAD`: :class:`SchemaBehind`, or
    :class:`~hub.errors.ConfigError` for one without any table (nothing has run with it)."""
    state = read_schema_state(reader)
    if state.up_to_date:
        return
    if state.empty:
        raise ConfigError(
            f"database {label} holds no hub tables: nothing has run with it "
            "(give the database URL the hub ran with)"
        )
    raise SchemaBehind(state)
