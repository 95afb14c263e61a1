"""Alembic migrations: the one way every table, index and trigger of a hub database is made.

:func:`check_schema` is what a process runs when it opens a database: at the head revision it
costs one query; an empty database (a first ``crossdock run``) is migrated at once; one behind
the code is refused with :class:`SchemaBehind` unless the caller asked to upgrade
(``crossdock run --upgrade``, ``crossdock db upgrade``). :func:`upgrade` holds a lock while it
migrates, so processes starting together on one database migrate it once: an exclusive
``flock`` on a lock file beside the SQLite file, a transaction-scoped advisory lock on
PostgreSQL; the one that waited finds the database at the head and does nothing.

Alembic itself is imported only when a database has to be migrated or described: a process
opening an up-to-date database (``crossdock dlq list``) never loads it. An empty SQLite file
after the first one a process migrated is filled from a copy of that one (SQLite's backup
API), not by running every revision again: the test suite makes hundreds.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from hub.schema_revision import HEAD, SchemaBehind, SchemaState, read_schema_state
from hub.sql_reader import EngineReader

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "HEAD",
    "SCRIPT_LOCATION",
    "Revision",
    "SchemaBehind",
    "SchemaState",
    "alembic_config",
    "check_schema",
    "history",
    "schema_state",
    "upgrade",
]

SCRIPT_LOCATION = Path(__file__).resolve().parent

#: the key of PostgreSQL's advisory lock around an upgrade (any constant shared by all hubs)
_PG_LOCK_KEY = 0x63726F7373646B  # "crossdk"


@dataclass(frozen=True, slots=True)
class Revision:
    """One migration: its id, the one before it, and the first line of its docstring."""

    id: str
    down: str | None
    about: str


def alembic_config() -> Config:
    """An Alembic configuration pointing at these migrations, without any ``alembic.ini``."""
    # Alembic loads with the first migration or description, not with every database opened
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def schema_state(bind: Engine | Connection) -> SchemaState:
    """The revision ``bind``'s database is at, and whether it holds any table at all."""
    return read_schema_state(EngineReader(bind))


def check_schema(engine: Engine, *, upgrade_behind: bool = False, fresh: bool = True) -> None:
    """Make sure ``engine``'s database is at the head revision before it is used.

    An empty database is migrated when ``fresh`` (a first run needs no extra step), one behind
    only with ``upgrade_behind``; else :class:`SchemaBehind`. A database ahead of the code is
    always refused: this code does not know its tables.
    """
    state = schema_state(engine)
    if state.up_to_date or (state.empty and not fresh):
        return
    if state.ahead:
        raise SchemaBehind(state)
    # a process migrating this file right now shows a half-made schema (SQLite's DDL commits
    # statement by statement): decide under its lock, on what it leaves
    with _upgrade_lock(engine):
        state = schema_state(engine)
        if state.up_to_date or (state.empty and not fresh):
            return
        if state.ahead or not (upgrade_behind or (fresh and state.empty)):
            raise SchemaBehind(state)
        _upgrade_locked(engine, "head")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest), locked."""
    with _upgrade_lock(engine):
        _upgrade_locked(engine, revision)


def _upgrade_locked(engine: Engine, revision: str) -> None:
    if not (revision == "head" and _from_template(engine)):
        _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    # Alembic loads with the first migration (see the module's docstring)
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        state = schema_state(connection)
        if revision == "head" and state.up_to_date:
            return  # migrated by the process that held the lock before: nothing to load or do
        empty = state.empty
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if empty and revision == "head" and _file_path(engine):
        _keep_template(engine)


# -- empty SQLite files: a copy of the first one this process migrated -------------------------
# Migrating an empty database runs every revision (~0.1-0.3 s); a process that makes several
# (the test suite makes hundreds) copies the first result with SQLite's backup API instead,
# page by page into the new file: the same schema, triggers and alembic_version row.
_template: sqlite3.Connection | None = None
_template_lock = threading.Lock()


def _forget_template() -> None:
    # a SQLite connection must not cross a fork: a forked child migrates its own first one
    global _template  # noqa: PLW0603 - the child's copy of the module's one template
    _template = None


os.register_at_fork(after_in_child=_forget_template)


def _keep_template(engine: Engine) -> None:
    global _template  # noqa: PLW0603 - one template per process, made once
    with _template_lock:
        if _template is not None:
            return
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(copy)  # type: ignore[union-attr]
        finally:
            raw.close()
        _template = copy


def _from_template(engine: Engine) -> bool:
    """Fill an empty SQLite file from the template; False when there is none or it is not."""
    if _template is None or not _file_path(engine):
        return False
    state = schema_state(engine)
    if not state.empty:
        return state.up_to_date  # already migrated (or to be migrated normally)
    raw = engine.raw_connection()
    try:
        with _template_lock:
            _template.backup(raw.driver_connection)  # type: ignore[arg-type]
    finally:
        raw.close()
    return True


def _file_path(engine: Engine) -> str | None:
    """The file of a SQLite database (None: another database, or one in memory)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


@contextmanager
def _upgrade_lock(engine: Engine) -> Iterator[None]:
    """An exclusive ``flock`` on ``<database file>.migrate-lock`` while a SQLite file is
    migrated (PostgreSQL: an advisory lock, see :func:`upgrade`).

    A file of its own, never the database: closing any descriptor of the database file drops
    the POSIX locks SQLite's connections in this process hold on it. It is left in place (a
    lock file removed can be locked by two processes at once).
    """
    path = _file_path(engine)
    if path is None:
        yield
        return
    with open(f"{path}.migrate-lock", "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def history() -> list[Revision]:
    """The migrations, newest first."""
    # Alembic loads only to describe its scripts
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    revisions = []
    for script in scripts.walk_revisions():
        down = script.down_revision
        about = (script.doc or "").strip().splitlines()
        revisions.append(
            Revision(
                script.revision,
                down if isinstance(down, str) or down is None else ",".join(down),
                about[0] if about else "",
            )
        )
    return revisions
