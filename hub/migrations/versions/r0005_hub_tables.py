"""The hub's own tables, the ops indexes, tallies and triggers: Alembic owns them all (issue 20).

Until this revision, dead letters, checkpoints, dedup claims, connector states and read leases,
the webhook ledger, redrive tasks, depth samples and the routing tables were made by
``create_all`` when a process first needed them, and the ops console added its indexes, the
kept tallies and hourly counts with their triggers and the reason search by DDL when the API
started.

Adopting such a database: **create what is missing**, not detect-and-stamp. A database of
today's code is in one of several states: made by ``crossdock run --once`` only (hub tables,
no ``alembic_version``, no registry tables: r0001–r0004 then run as on a fresh one), or also
served (registry at r0004), and tables made on first use exist only where that use happened
(read leases after a connector read, the routing tables where routing ran, the tallies where
the API started). Stamping would have to decide that a database "has the schema" from one
table's presence and would record as made what is missing; creating each table, column,
index and trigger only when absent brings every one of those states, and a fresh database, to
the same schema (the drift test compares it with the models), and is safe to re-run. An
adopted table's missing column is added when it can be (nullable: a create_all table predates
the column); a required column cannot be invented and stops the upgrade, naming it.

The tallies' and the reason search's SQL is written out here, frozen, not imported: a later
change of the code must not change what this revision did.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

revision = "r0005"
down_revision: str | None = "r0004"
branch_labels: str | None = None
depends_on: str | None = None

log = logging.getLogger("alembic.runtime.migration")

_TS = sa.DateTime(timezone=True)


def _tables(metadata: sa.MetaData) -> list[sa.Table]:
    """The tables as this revision makes them (parents before their children)."""
    col = sa.Column
    return [
        sa.Table(
            "checkpoints",
            metadata,
            col("source_key", sa.String(200), primary_key=True),
            col("offset", sa.BigInteger, nullable=False),
            col("line", sa.Integer, nullable=False),
            col("done", sa.Boolean, nullable=False),
            col("published", sa.Integer, nullable=False),
            col("dead_lettered", sa.Integer, nullable=False),
            col("updated_at", _TS, nullable=False),
        ),
        sa.Table(
            "processed_events",
            metadata,
            col("consumer", sa.String(128), primary_key=True),
            col("event_id", sa.String(64), primary_key=True),
            col("processed_at", _TS, nullable=False),
        ),
        sa.Table(
            "dead_letters",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("key", sa.String(64), nullable=False, unique=True),
            col("connector", sa.String(128), nullable=False),
            col("source", sa.Text, nullable=False),
            col("location", sa.Text, nullable=False),
            col("stage", sa.String(32), nullable=False),
            col("error_class", sa.String(200), nullable=False),
            col("failure_type", sa.String(16), nullable=False),
            col("reason", sa.Text, nullable=False),
            col("traceback", sa.Text, nullable=True),
            col("content_type", sa.String(100), nullable=False),
            col("payload", sa.LargeBinary, nullable=False),
            col("context", sa.JSON, nullable=False),
            col("mapping_id", sa.String(128), nullable=True),
            col("mapping_version", sa.Integer, nullable=True),
            col("event_type", sa.String(128), nullable=True),
            col("event_id", sa.String(64), nullable=True),
            col("correlation_id", sa.String(128), nullable=True),
            col("attempts", sa.Integer, nullable=False),
            col("first_failed_at", _TS, nullable=False),
            col("last_failed_at", _TS, nullable=False),
            col("status", sa.String(16), nullable=False),
            col("history", sa.JSON, nullable=False),
            sa.Index("ix_dead_letters_status_connector", "status", "connector", "stage"),
            sa.Index("ix_dead_letters_last_failed_at", "last_failed_at"),
        ),
        sa.Table(
            "connector_states",
            metadata,
            col("instance", sa.String(128), primary_key=True),
            col("state", sa.Text, nullable=False),
            col("updated_at", _TS, nullable=False),
        ),
        sa.Table(
            "connector_read_leases",
            metadata,
            col("instance", sa.String(128), primary_key=True),
            col("holder", sa.String(200), nullable=False),
            col("expires_at", _TS, nullable=False),
        ),
        sa.Table(
            "webhook_deliveries",
            metadata,
            col("instance", sa.String(128), primary_key=True),
            col("delivery_id", sa.String(200), primary_key=True),
            col("taken_at", _TS, nullable=False, index=True),
            col("event_ids", sa.JSON, nullable=False),
        ),
        sa.Table(
            "dead_letter_depth_samples",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("at", _TS, nullable=False, index=True),
            col("depth", sa.Integer, nullable=False),
        ),
        sa.Table(
            "redrive_tasks",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("filter_key", sa.String(64), nullable=False),
            col("filter", sa.JSON, nullable=False),
            col("mapping_version", sa.Integer, nullable=True),
            col("rate", sa.Float, nullable=True),
            col("status", sa.String(16), nullable=False),
            col("to_move", sa.Integer, nullable=False),
            col("moved", sa.Integer, nullable=False),
            col("failed", sa.Integer, nullable=False),
            col("max_id", sa.Integer, nullable=False),
            col("cursor", sa.Integer, nullable=False),
            col("started_by", sa.String(255), nullable=False),
            col("started_at", _TS, nullable=False),
            col("heartbeat_at", _TS, nullable=False),
            col("finished_at", _TS, nullable=True),
            col("error", sa.Text, nullable=True),
        ),
        sa.Table(
            "routing_tasks",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("group_key", sa.String(64), nullable=False, index=True),
            col("open_key", sa.String(64), nullable=True, unique=True),
            col("rule_id", sa.String(100), nullable=False),
            col("rule_version", sa.Integer, nullable=False),
            col("category", sa.String(64), nullable=False),
            col("severity", sa.String(16), nullable=False),
            col("priority", sa.Integer, nullable=False),
            col("impact", sa.Integer, nullable=False),
            col("urgency", sa.Integer, nullable=False),
            col("value_at_risk", sa.String(32), nullable=False),
            col("title", sa.Text, nullable=False),
            col("labels", sa.JSON, nullable=False),
            col("state", sa.String(16), nullable=False, index=True),
            col("state_reason", sa.Text, nullable=True),
            col("occurrences", sa.Integer, nullable=False),
            col("first_seen", _TS, nullable=False),
            col("last_seen", _TS, nullable=False),
            col("notify_after", _TS, nullable=False),
            col("notified_at", _TS, nullable=True),
            col("changed_since_notice", sa.Boolean, nullable=False),
            col("group_interval_s", sa.Float, nullable=True),
            col("last_notice_at", _TS, nullable=True),
            col("updates_sent", sa.Integer, nullable=False),
            col("targets", sa.JSON, nullable=False),
            col("sla", sa.JSON, nullable=False),
            col("escalation", sa.JSON, nullable=True),
            col("escalation_level", sa.Integer, nullable=False),
            col("review", sa.Boolean, nullable=False),
            col("classification", sa.JSON, nullable=True),
            col("acknowledged_by", sa.String(128), nullable=True),
            col("acknowledged_at", _TS, nullable=True),
            col("resolved_by", sa.String(128), nullable=True),
            col("resolved_at", _TS, nullable=True),
            sa.Index("ix_routing_tasks_state_notify", "state", "notify_after"),
        ),
        sa.Table(
            "routing_task_lines",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("task_id", sa.Integer, sa.ForeignKey("routing_tasks.id"), nullable=False),
            col("dedup_key", sa.String(200), nullable=False),
            col("event_id", sa.String(128), nullable=False),
            col("occurrences", sa.Integer, nullable=False),
            col("first_seen", _TS, nullable=False),
            col("last_seen", _TS, nullable=False),
            col("fields", sa.JSON, nullable=False),
            col("value_at_risk", sa.String(32), nullable=False),
            sa.UniqueConstraint("task_id", "dedup_key", name="uq_routing_line"),
        ),
        sa.Table(
            "routing_sla_clocks",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("task_id", sa.Integer, sa.ForeignKey("routing_tasks.id"), nullable=False),
            col("name", sa.String(100), nullable=False),
            col("within_s", sa.Float, nullable=False),
            col("status", sa.String(16), nullable=False),
            col("elapsed_s", sa.Float, nullable=False),
            col("running_since", _TS, nullable=True),
            col("notified_pct", sa.Integer, nullable=False),
            col("breached", sa.Boolean, nullable=False),
            sa.UniqueConstraint("task_id", "name", name="uq_routing_sla"),
        ),
        sa.Table(
            "routing_deliveries",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("task_id", sa.Integer, sa.ForeignKey("routing_tasks.id"), nullable=False),
            col("target", sa.String(100), nullable=False),
            col("purpose", sa.String(32), nullable=False),
            col("step", sa.Integer, nullable=False),
            col("status", sa.String(16), nullable=False, index=True),
            col("attempts", sa.Integer, nullable=False),
            col("last_error", sa.Text, nullable=True),
            col("receipt", sa.Text, nullable=True),
            col("created_at", _TS, nullable=False),
            col("claimed_at", _TS, nullable=True),
            col("delivered_at", _TS, nullable=True),
            sa.UniqueConstraint("task_id", "target", "purpose", "step", name="uq_routing_delivery"),
        ),
        sa.Table(
            "routing_deferred_checks",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("rule_id", sa.String(100), nullable=False),
            col("key", sa.String(200), nullable=False),
            col("due_at", _TS, nullable=False, index=True),
            col("event", sa.JSON, nullable=False),
            col("status", sa.String(16), nullable=False),
            sa.UniqueConstraint("rule_id", "key", name="uq_routing_deferred"),
        ),
        sa.Table(
            "routing_audit",
            metadata,
            col("id", sa.Integer, primary_key=True, autoincrement=True),
            col("at", _TS, nullable=False, index=True),
            col("action", sa.String(32), nullable=False),
            col("task_id", sa.Integer, nullable=True, index=True),
            col("rule", sa.String(120), nullable=True),
            col("event_id", sa.String(128), nullable=True),
            col("input_digest", sa.String(64), nullable=True),
            col("actor", sa.String(128), nullable=False),
            col("details", sa.JSON, nullable=False),
        ),
        sa.Table(
            "dead_letter_hourly",
            metadata,
            col("hour", sa.String(13), primary_key=True, comment="UTC, YYYY-MM-DD HH"),
            col("connector", sa.String(128), primary_key=True),
            col("n", sa.BigInteger, nullable=False),
        ),
        sa.Table(
            _TALLIES,
            metadata,
            col("status", sa.String(16), primary_key=True),
            col("connector", sa.String(128), primary_key=True),
            col("stage", sa.String(32), primary_key=True),
            col("error_class", sa.String(200), primary_key=True),
            col("n", sa.BigInteger, nullable=False),
        ),
    ]


# -- the ops console's objects on dead_letters (frozen copies of what the API made at start) --
_TALLIES = "dead_letter_tallies"
_FTS = "dead_letter_reasons"

_REDRIVE_ACTIVE = "ux_redrive_tasks_active"
_OPS_INDEXES = {
    "ix_dl_ops_status_id": ("status", "id"),
    "ix_dl_ops_status_connector_stage_id": ("status", "connector", "stage", "id"),
    "ix_dl_ops_status_error_class_id": ("status", "error_class", "id"),
    "ix_dl_ops_status_event_type_id": ("status", "event_type", "id"),
    "ix_dl_ops_status_connector_stage_first": ("status", "connector", "stage", "first_failed_at"),
    "ix_dl_ops_status_last_failed": ("status", "last_failed_at"),
}

_UPSERT = (
    f"INSERT INTO {_TALLIES} (status, connector, stage, error_class, n) "
    "VALUES ({r}.status, {r}.connector, {r}.stage, {r}.error_class, {d}) "
    f"ON CONFLICT (status, connector, stage, error_class) DO UPDATE SET n = {_TALLIES}.n + ({{d}})"
)

_SQLITE_TRIGGERS = {
    "dead_letters_tally_insert": "AFTER INSERT ON dead_letters "
    f"BEGIN {_UPSERT.format(r='NEW', d=1)}; END",
    "dead_letters_tally_delete": "AFTER DELETE ON dead_letters "
    f"BEGIN {_UPSERT.format(r='OLD', d=-1)}; END",
    "dead_letters_tally_update": "AFTER UPDATE OF status, connector, stage, error_class "
    "ON dead_letters "
    "WHEN OLD.status IS NOT NEW.status OR OLD.connector IS NOT NEW.connector "
    "OR OLD.stage IS NOT NEW.stage OR OLD.error_class IS NOT NEW.error_class "
    f"BEGIN {_UPSERT.format(r='OLD', d=-1)}; {_UPSERT.format(r='NEW', d=1)}; END",
    "dead_letters_reason_insert": "AFTER INSERT ON dead_letters "
    f"BEGIN INSERT INTO {_FTS}(rowid, reason) VALUES (NEW.id, NEW.reason); END",
    "dead_letters_reason_delete": "AFTER DELETE ON dead_letters "
    f"BEGIN INSERT INTO {_FTS}({_FTS}, rowid, reason) VALUES ('delete', OLD.id, OLD.reason); END",
    "dead_letters_reason_update": "AFTER UPDATE OF reason ON dead_letters "
    f"BEGIN INSERT INTO {_FTS}({_FTS}, rowid, reason) VALUES ('delete', OLD.id, OLD.reason); "
    f"INSERT INTO {_FTS}(rowid, reason) VALUES (NEW.id, NEW.reason); END",
}

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION crossdock_dead_letter_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_UPSERT.format(r="OLD", d=-1)};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_UPSERT.format(r="NEW", d=1)};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

_PG_TRIGGERS = {
    "dead_letters_tally_insert_delete": "AFTER INSERT OR DELETE ON dead_letters "
    "FOR EACH ROW EXECUTE FUNCTION crossdock_dead_letter_tally()",
    "dead_letters_tally_update": "AFTER UPDATE OF status, connector, stage, error_class "
    "ON dead_letters FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.connector IS DISTINCT FROM NEW.connector "
    "OR OLD.stage IS DISTINCT FROM NEW.stage OR OLD.error_class IS DISTINCT FROM NEW.error_class) "
    "EXECUTE FUNCTION crossdock_dead_letter_tally()",
}


#: the hour of a letter's first failure, UTC, as the hourly table's key
_HOUR = {
    "sqlite": "strftime('%Y-%m-%d %H', {r}.first_failed_at)",
    "postgresql": "to_char({r}.first_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')",
}


def _hourly_upsert(dialect: str, r: str, d: int) -> str:
    return (
        f"INSERT INTO dead_letter_hourly (hour, connector, n) "
        f"VALUES ({_HOUR[dialect].format(r=r)}, {r}.connector, {d}) "
        f"ON CONFLICT (hour, connector) DO UPDATE SET n = dead_letter_hourly.n + ({d})"
    )


_SQLITE_HOURLY_TRIGGERS = {
    "dead_letters_hourly_insert": "AFTER INSERT ON dead_letters "
    f"BEGIN {_hourly_upsert('sqlite', 'NEW', 1)}; END",
    "dead_letters_hourly_delete": "AFTER DELETE ON dead_letters "
    f"BEGIN {_hourly_upsert('sqlite', 'OLD', -1)}; END",
    "dead_letters_hourly_update": "AFTER UPDATE OF connector, first_failed_at ON dead_letters "
    "WHEN OLD.connector IS NOT NEW.connector OR OLD.first_failed_at IS NOT NEW.first_failed_at "
    f"BEGIN {_hourly_upsert('sqlite', 'OLD', -1)}; {_hourly_upsert('sqlite', 'NEW', 1)}; END",
}

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

_PG_HOURLY_TRIGGERS = {
    "dead_letters_hourly_insert_delete": "AFTER INSERT OR DELETE ON dead_letters "
    "FOR EACH ROW EXECUTE FUNCTION crossdock_dead_letter_hourly()",
    "dead_letters_hourly_update": "AFTER UPDATE OF connector, first_failed_at ON dead_letters "
    "FOR EACH ROW WHEN (OLD.connector IS DISTINCT FROM NEW.connector "
    "OR OLD.first_failed_at IS DISTINCT FROM NEW.first_failed_at) "
    "EXECUTE FUNCTION crossdock_dead_letter_hourly()",
}


def upgrade() -> None:
    """Create each table, column, index and trigger that is missing (see the docstring)."""
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    for table in _tables(sa.MetaData()):
        if table.name not in existing:
            table.create(conn)
            continue
        _adopt(conn, inspector, table)
    _ops_indexes(conn)
    _tally_triggers(conn)
    _hourly_triggers(conn)
    _reason_search(conn)


def _adopt(conn: Connection, inspector: sa.Inspector, table: sa.Table) -> None:
    """A table ``create_all`` made: add its missing nullable columns and indexes."""
    columns = {c["name"] for c in inspector.get_columns(table.name)}
    for column in table.columns:
        if column.name in columns:
            continue
        if not column.nullable:
            raise RuntimeError(
                f"table {table.name} has no column {column.name}, which is required: "
                "this database was made by a version of the hub too old to adopt"
            )
        op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))
    indexes = {i["name"] for i in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in indexes:
            index.create(conn)


def _ops_indexes(conn: Connection) -> None:
    for name, columns in _OPS_INDEXES.items():
        on = f"dead_letters ({', '.join(columns)})"
        conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {on}"))
    # one running (or cancelling) redrive task per filter
    conn.execute(
        sa.text(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {_REDRIVE_ACTIVE} ON redrive_tasks "
            "(filter_key) WHERE status IN ('running', 'cancelling')"
        )
    )


def _has_trigger(conn: Connection, name: str) -> bool:
    if conn.dialect.name == "postgresql":
        query = "SELECT count(*) FROM pg_trigger WHERE tgname = :n"
    else:
        query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :n"
    return bool(conn.execute(sa.text(query), {"n": name}).scalar_one())


def _tally_triggers(conn: Connection) -> None:
    """The tallies' triggers; where they were missing, the letters already there counted once."""
    if _has_trigger(conn, "dead_letters_tally_update"):
        return
    if conn.dialect.name == "postgresql":
        # no letter is written between the count and the triggers
        conn.execute(sa.text("LOCK TABLE dead_letters IN SHARE ROW EXCLUSIVE MODE"))
        conn.execute(sa.text(_PG_FUNCTION))
        for name, body in _PG_TRIGGERS.items():
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON dead_letters"))
            conn.execute(sa.text(f"CREATE TRIGGER {name} {body}"))
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            if name.startswith("dead_letters_tally"):
                conn.execute(sa.text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))
    conn.execute(sa.text(f"DELETE FROM {_TALLIES}"))
    conn.execute(
        sa.text(
            f"INSERT INTO {_TALLIES} (status, connector, stage, error_class, n) "
            "SELECT status, connector, stage, error_class, count(*) FROM dead_letters "
            "GROUP BY status, connector, stage, error_class"
        )
    )


def _hourly_triggers(conn: Connection) -> None:
    """The hourly counts' triggers; where they were missing, the letters there counted once.

    After :func:`_tally_triggers` in its transaction: on PostgreSQL the table lock taken there
    keeps writers out until the counts are in.
    """
    if _has_trigger(conn, "dead_letters_hourly_update"):
        return
    dialect = "postgresql" if conn.dialect.name == "postgresql" else "sqlite"
    if dialect == "postgresql":
        conn.execute(sa.text("LOCK TABLE dead_letters IN SHARE ROW EXCLUSIVE MODE"))
        conn.execute(sa.text(_PG_HOURLY_FUNCTION))
        for name, body in _PG_HOURLY_TRIGGERS.items():
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON dead_letters"))
            conn.execute(sa.text(f"CREATE TRIGGER {name} {body}"))
    else:
        for name, body in _SQLITE_HOURLY_TRIGGERS.items():
            conn.execute(sa.text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))
    hour = _HOUR[dialect].format(r="dead_letters")
    conn.execute(sa.text("DELETE FROM dead_letter_hourly"))
    conn.execute(
        sa.text(
            "INSERT INTO dead_letter_hourly (hour, connector, n) "
            f"SELECT {hour}, connector, count(*) FROM dead_letters GROUP BY {hour}, connector"
        )
    )


def _reason_search(conn: Connection) -> None:
    """The trigram index of reasons: FTS5 on SQLite, pg_trgm on PostgreSQL when allowed."""
    if conn.dialect.name == "sqlite":
        existed = _has_table(conn, _FTS)
        conn.execute(
            sa.text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {_FTS} USING fts5(reason, "
                "content='dead_letters', content_rowid='id', tokenize='trigram')"
            )
        )
        for name, body in _SQLITE_TRIGGERS.items():
            if name.startswith("dead_letters_reason"):
                conn.execute(sa.text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))
        if not existed:
            conn.execute(sa.text(f"INSERT INTO {_FTS}({_FTS}) VALUES ('rebuild')"))
        return
    # the extension needs a privileged role; without it searches stay correct, only slower
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(
                sa.text(
                    "CREATE INDEX IF NOT EXISTS ix_dl_ops_reason_trgm ON dead_letters "
                    "USING gin (reason gin_trgm_ops)"
                )
            )
    except DBAPIError as exc:
        log.warning("dead letters: no trigram index on reasons (%s); text search scans", exc)


def _has_table(conn: Connection, name: str) -> bool:
    return bool(
        conn.execute(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name = :n"), {"n": name}
        ).scalar_one()
    )


def downgrade() -> None:
    """Drop what this revision owns (an adopted database loses them too: they are its data)."""
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for name in [*_PG_TRIGGERS, *_PG_HOURLY_TRIGGERS]:
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON dead_letters"))
        conn.execute(sa.text("DROP FUNCTION IF EXISTS crossdock_dead_letter_tally()"))
        conn.execute(sa.text("DROP FUNCTION IF EXISTS crossdock_dead_letter_hourly()"))
        conn.execute(sa.text("DROP INDEX IF EXISTS ix_dl_ops_reason_trgm"))
    else:
        for name in [*_SQLITE_TRIGGERS, *_SQLITE_HOURLY_TRIGGERS]:
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {_FTS}"))
    for name in [*_OPS_INDEXES, _REDRIVE_ACTIVE]:
        conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    for table in reversed(_tables(sa.MetaData())):
        table.drop(conn, checkfirst=True)
