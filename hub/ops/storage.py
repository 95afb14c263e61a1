"""What the ops console adds to the dead-letter table: indexes and kept tallies.

The dead-letter table is made by ``create_all`` (not Alembic), so these are idempotent DDL run
when the API starts (``CREATE … IF NOT EXISTS``), on SQLite and PostgreSQL alike.

Indexes serve keyset pages (newest first) under the console's filters. Counts grouped by
connector × stage × error class come from ``dead_letter_tallies``, a table that triggers keep in
step with every insert, status change and delete, in the writer's own transaction: a grouped
count over a million letters then reads a few dozen rows instead of scanning the table.
``dead_letter_hourly`` is kept the same way: new letters per hour of their first failure (UTC,
``YYYY-MM-DD HH``) and connector, for the page's week chart (:mod:`hub.ops.arrivals`), which
then reads at most 168 × connectors rows where counting a week of letters took ~0.7 s with a
million stored. It holds one row per connector and hour that had letters (a year of ten
connectors failing every hour is 87,600 rows), so it is not pruned.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, String, Table, text
from sqlalchemy.engine import Connection

from hub.deadletter.model import DeadLetterRow
from hub.ops.text_search import install_text_search
from hub.storage import Base

__all__ = ["HOURLY", "INDEXES", "TALLY_TABLE", "prepare_ops_storage"]

TALLY_TABLE = "dead_letter_tallies"

HOURLY = Table(
    "dead_letter_hourly",
    Base.metadata,
    Column("hour", String(13), primary_key=True, comment="UTC, YYYY-MM-DD HH"),
    Column("connector", String(128), primary_key=True),
    Column("n", BigInteger, nullable=False),
)
"""New dead letters per hour of first failure and connector, kept by triggers."""

INDEXES: dict[str, str] = {
    # pages of all letters in a status, newest first
    "ix_dl_ops_status_id": "status, id",
    # the usual narrowing: one connector and stage
    "ix_dl_ops_status_connector_stage_id": "status, connector, stage, id",
    "ix_dl_ops_status_error_class_id": "status, error_class, id",
    "ix_dl_ops_status_event_type_id": "status, event_type, id",
    # oldest open letter per connector and stage (the overview's age column)
    "ix_dl_ops_status_connector_stage_first": "status, connector, stage, first_failed_at",
    "ix_dl_ops_status_last_failed": "status, last_failed_at",
}

_TALLY_DDL = f"""
CREATE TABLE IF NOT EXISTS {TALLY_TABLE} (
    status VARCHAR(16) NOT NULL,
    connector VARCHAR(128) NOT NULL,
    stage VARCHAR(32) NOT NULL,
    error_class VARCHAR(200) NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (status, connector, stage, error_class)
)
"""

_UPSERT = (
    f"INSERT INTO {TALLY_TABLE} (status, connector, stage, error_class, n) "
    "VALUES ({r}.status, {r}.connector, {r}.stage, {r}.error_class, {d}) "
    "ON CONFLICT (status, connector, stage, error_class) DO UPDATE SET n = {t}.n + ({d})"
)

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS dead_letters_tally_insert AFTER INSERT ON dead_letters "
    f"BEGIN {_UPSERT.format(r='NEW', d=1, t=TALLY_TABLE)}; END",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_tally_delete AFTER DELETE ON dead_letters "
    f"BEGIN {_UPSERT.format(r='OLD', d=-1, t=TALLY_TABLE)}; END",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_tally_update "
    "AFTER UPDATE OF status, connector, stage, error_class ON dead_letters "
    "WHEN OLD.status IS NOT NEW.status OR OLD.connector IS NOT NEW.connector "
    "OR OLD.stage IS NOT NEW.stage OR OLD.error_class IS NOT NEW.error_class "
    f"BEGIN {_UPSERT.format(r='OLD', d=-1, t=TALLY_TABLE)}; "
    f"{_UPSERT.format(r='NEW', d=1, t=TALLY_TABLE)}; END",
]

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION crossdock_dead_letter_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_UPSERT.format(r="OLD", d=-1, t=TALLY_TABLE)};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_UPSERT.format(r="NEW", d=1, t=TALLY_TABLE)};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

_PG_TRIGGERS = [
    "DROP TRIGGER IF EXISTS dead_letters_tally_insert_delete ON dead_letters",
    "CREATE TRIGGER dead_letters_tally_insert_delete AFTER INSERT OR DELETE ON dead_letters "
    "FOR EACH ROW EXECUTE FUNCTION crossdock_dead_letter_tally()",
    "DROP TRIGGER IF EXISTS dead_letters_tally_update ON dead_letters",
    "CREATE TRIGGER dead_letters_tally_update "
    "AFTER UPDATE OF status, connector, stage, error_class ON dead_letters FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.connector IS DISTINCT FROM NEW.connector "
    "OR OLD.stage IS DISTINCT FROM NEW.stage OR OLD.error_class IS DISTINCT FROM NEW.error_class) "
    "EXECUTE FUNCTION crossdock_dead_letter_tally()",
]

_BACKFILL = (
    f"INSERT INTO {TALLY_TABLE} (status, connector, stage, error_class, n) "
    "SELECT status, connector, stage, error_class, count(*) FROM dead_letters "
    "GROUP BY status, connector, stage, error_class"
)


def prepare_ops_storage(engine: Engine) -> None:
    """Create the dead-letter table if missing, its ops indexes, the tallies and their triggers.

    Idempotent, and safe while pipelines write: on PostgreSQL the table is locked against
    writes while the tallies are first filled, so none is counted twice or missed.
    """
    DeadLetterRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for name, columns in INDEXES.items():
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON dead_letters ({columns})"))
        _install_tallies(conn)
        _install_hourly(conn)
        install_text_search(conn)


def _install_tallies(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("LOCK TABLE dead_letters IN SHARE ROW EXCLUSIVE MODE"))
    conn.execute(text(_TALLY_DDL))
    if not _has_trigger(conn, "dead_letters_tally_update"):
        if postgres:
            conn.execute(text(_PG_FUNCTION))
            for stmt in _PG_TRIGGERS:
                conn.execute(text(stmt))
        else:
            for stmt in _SQLITE_TRIGGERS:
                conn.execute(text(stmt))
        # Letters written before the triggers existed: count them once, now.
        conn.execute(text(f"DELETE FROM {TALLY_TABLE}"))
        conn.execute(text(_BACKFILL))


def _has_trigger(conn: Connection, name: str) -> bool:
    if conn.dialect.name == "postgresql":
        q = "SELECT count(*) FROM pg_trigger WHERE tgname = :name"
    else:
        q = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :name"
    return bool(conn.execute(text(q), {"name": name}).scalar_one())


#: the hour of a letter's first failure, UTC, as the hourly table's key
_HOUR = {
    "sqlite": "strftime('%Y-%m-%d %H', {r}.first_failed_at)",
    "postgresql": "to_char({r}.first_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')",
}

_HOURLY_UPSERT = (
    "INSERT INTO dead_letter_hourly (hour, connector, n) VALUES ({hour}, {r}.connector, {d}) "
    "ON CONFLICT (hour, connector) DO UPDATE SET n = dead_letter_hourly.n + ({d})"
)


def _hourly_upsert(dialect: str, r: str, d: int) -> str:
    return _HOURLY_UPSERT.format(hour=_HOUR[dialect].format(r=r), r=r, d=d)


_SQLITE_HOURLY_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS dead_letters_hourly_insert AFTER INSERT ON dead_letters "
    f"BEGIN {_hourly_upsert('sqlite', 'NEW', 1)}; END",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_hourly_delete AFTER DELETE ON dead_letters "
    f"BEGIN {_hourly_upsert('sqlite', 'OLD', -1)}; END",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_hourly_update "
    "AFTER UPDATE OF connector, first_failed_at ON dead_letters "
    "WHEN OLD.connector IS NOT NEW.connector OR OLD.first_failed_at IS NOT NEW.first_failed_at "
    f"BEGIN {_hourly_upsert('sqlite', 'OLD', -1)}; {_hourly_upsert('sqlite', 'NEW', 1)}; END",
]

_PG_HOURLY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION crossdock_dead_letter_hourly() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_hourly_upsert("postgresql", "OLD", -1)};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_hourly_upsert("postgresql", "NEW", 1)};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

_PG_HOURLY_TRIGGERS = [
    "DROP TRIGGER IF EXISTS dead_letters_hourly_insert_delete ON dead_letters",
    "CREATE TRIGGER dead_letters_hourly_insert_delete AFTER INSERT OR DELETE ON dead_letters "
    "FOR EACH ROW EXECUTE FUNCTION crossdock_dead_letter_hourly()",
    "DROP TRIGGER IF EXISTS dead_letters_hourly_update ON dead_letters",
    "CREATE TRIGGER dead_letters_hourly_update "
    "AFTER UPDATE OF connector, first_failed_at ON dead_letters FOR EACH ROW "
    "WHEN (OLD.connector IS DISTINCT FROM NEW.connector "
    "OR OLD.first_failed_at IS DISTINCT FROM NEW.first_failed_at) "
    "EXECUTE FUNCTION crossdock_dead_letter_hourly()",
]


def _install_hourly(conn: Connection) -> None:
    """The hourly table, its triggers, and (once) the letters stored before them.

    Runs after :func:`_install_tallies` in its transaction: on PostgreSQL the table lock taken
    there keeps writers out until the backfill is in.
    """
    dialect = "postgresql" if conn.dialect.name == "postgresql" else "sqlite"
    HOURLY.create(conn, checkfirst=True)
    if _has_trigger(conn, "dead_letters_hourly_update"):
        return
    if dialect == "postgresql":
        conn.execute(text(_PG_HOURLY_FUNCTION))
        for stmt in _PG_HOURLY_TRIGGERS:
            conn.execute(text(stmt))
    else:
        for stmt in _SQLITE_HOURLY_TRIGGERS:
            conn.execute(text(stmt))
    hour = _HOUR[dialect].format(r="dead_letters")
    conn.execute(text("DELETE FROM dead_letter_hourly"))
    conn.execute(
        text(
            f"INSERT INTO dead_letter_hourly (hour, connector, n) "
            f"SELECT {hour}, connector, count(*) FROM dead_letters GROUP BY {hour}, connector"
        )
    )
