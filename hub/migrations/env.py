"""Alembic environment: run migrations on the connection handed over by ``hub.migrations``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

# every module that declares tables, imported for registering them on the two MetaData
# (autogenerate compares against them; tests/hub/test_migrations.py checks none is missing)
import hub.api.webhook_ledger
import hub.auth.tables
import hub.checkpoints
import hub.connector_state
import hub.deadletter.model
import hub.dedup
import hub.ops.redrive
import hub.ops.trend
import hub.read_lease
import hub.registry.tables
import hub.routing.tables  # noqa: F401
from hub.declarative import Base
from hub.migrated import MigratedBase
from hub.migrations.objects import include_name

config = context.config
target_metadata = [Base.metadata, MigratedBase.metadata]


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=True,  # SQLite alters a table by copying it
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    # Run from the alembic command line: the URL comes from ``-x url=...``.
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the database with: alembic -x url=sqlite:///var/crossdock.db ...")
    with create_engine(url).begin() as conn:
        _run(conn)


_run_online()
