"""What the ops console adds to the dead-letter table: indexes and kept tallies.

The dead-letter table is made by ``create_all`` (not Alembic), so these are idempotent DDL run
when the API starts (``CREATE … IF NOT EXISTS``), on SQLite and PostgreSQL alike.

Indexes serve keyset pages (newest first) under the console's filters. Counts grouped by
connector × stage × error class come from ``dead_letter_tallies``, a table that triggers keep in
step with every insert, status change and delete, in the writer's own transaction: a grouped
count over a million letters then reads a few dozen rows instead of scanning the table.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from hub.deadletter.model import DeadLetterRow
from hub.ops.text_search import install_text_search

__all__ = ["INDEXES", "TALLY_TABLE", "prepare_ops_storage"]

TALLY_TABLE = "dead_letter_tallies"

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
    # new letters per hour and connector over a week (the page's trend chart): covering
    "ix_dl_ops_first_failed_connector": "first_failed_at, connector",
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
        install_text_search(conn)


def _install_tallies(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("LOCK TABLE dead_letters IN SHARE ROW EXCLUSIVE MODE"))
    conn.execute(text(_TALLY_DDL))
    has_triggers = _has_triggers(conn)
    if not has_triggers:
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


def _has_triggers(conn: Connection) -> bool:
    if conn.dialect.name == "postgresql":
        q = "SELECT count(*) FROM pg_trigger WHERE tgname = 'dead_letters_tally_update'"
    else:
        q = (
            "SELECT count(*) FROM sqlite_master "
            "WHERE type = 'trigger' AND name = 'dead_letters_tally_update'"
        )
    return bool(conn.execute(text(q)).scalar_one())
