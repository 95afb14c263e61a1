"""Alembic environment: run migrations on the connection handed over by ``hub.migrations``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

import hub.auth.tables
import hub.registry.tables  # noqa: F401  (registers the registry tables)
from hub.migrated import MigratedBase

config = context.config
target_metadata = MigratedBase.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
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
