"""Alembic environment: run migrations on the connection handed over by ``hub.migrations``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, MetaData, create_engine

from hub.migrations.objects import include_name

config = context.config


def _models() -> list[MetaData]:
    """The MetaData of every table the hub declares, which autogenerate compares against."""
    # imported here, for the alembic command line only: the hub's own upgrades (a connection
    # handed over by hub.migrations) run the revisions' DDL, and these modules brought routing
    # (about 22 MB) into every first run of a data folder (tests/hub/test_migrations.py
    # compares every module of hub with the migrated schema)
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

    return [Base.metadata, MigratedBase.metadata]


def _run(connection: Connection, target_metadata: list[MetaData] | None = None) -> None:
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
        _run(conn, _models())


_run_online()
