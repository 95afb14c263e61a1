"""``crossdock db upgrade|current|history``: the database's schema and its migrations.

``crossdock run`` and ``serve`` refuse a database behind the code (they name ``db upgrade``)
unless given ``--upgrade``; these commands show where a database stands and migrate it.
"""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from click.exceptions import Exit

from hub.cli.commands import Group
from hub.cli.options import config_option, data_dir_option, database_url_option, json_option
from hub.cli.report import Reporter
from hub.cli.settings import existing_database, load_cli_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["db_group"]

db_group = Group(
    "db", help="The database's schema: upgrade it, show its revision and the migrations."
)

out = Reporter(stderr=False)
err = Reporter(stderr=True, soft_wrap=True)


def _engine(
    config: Path | None, data_dir: Path | None, database_url: str | None, *, create: bool
) -> "Engine":
    """The hub database as it is (nothing checked or migrated yet)."""
    from hub.storage import engine_for

    settings = load_cli_settings(config, data_dir=data_dir, database_url=database_url)
    if not create:
        return engine_for(existing_database(settings))
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return engine_for(settings.resolved_database_url)


@db_group.command("upgrade")
@config_option
@data_dir_option
@database_url_option
def db_upgrade(
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Migrate the database to this hub's newest revision (an embedded one is made if none is
    yet); safe while another hub starts on it: one of them migrates, the other waits."""
    from hub.migrations import HEAD, SchemaBehind, schema_state, upgrade

    engine = _engine(config, data_dir, database_url, create=True)
    try:
        before = schema_state(engine)
        if before.ahead:
            err.error(SchemaBehind(before))
            raise Exit(1)
        upgrade(engine)
    finally:
        engine.dispose()
    if before.up_to_date:
        out.print(f"database at {HEAD}: up to date, nothing to do", highlight=False)
    else:
        out.print(f"database upgraded: {before.current or 'none'} → {HEAD}", highlight=False)


@db_group.command("current")
@json_option()
@config_option
@data_dir_option
@database_url_option
def db_current(
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """The database's revision, and whether it is this hub's newest (exit 0 either way)."""
    from hub.migrations import HEAD, schema_state

    engine = _engine(config, data_dir, database_url, create=False)
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "current": state.current,
                    "head": HEAD,
                    "up_to_date": state.up_to_date,
                    "ahead": state.ahead,
                    "empty": state.empty,
                }
            )
            + "\n"
        )
        return
    if state.up_to_date:
        note = "up to date"
    elif state.ahead:
        note = f"newer than this hub ({HEAD})"
    else:
        from hub.command_hints import command_hint

        hint = command_hint(
            "db upgrade", config=config, data_dir=data_dir, database_url=database_url
        )
        note = f"behind this hub's {HEAD}: `{hint}` migrates it"
    # soft_wrap: the command stays on one line, to be copied whole
    out.print(f"{state.current or 'none'} ({note})", highlight=False, markup=False, soft_wrap=True)


@db_group.command("history")
@json_option()
@config_option
@data_dir_option
@database_url_option
def db_history(
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """The migrations, newest first: revision, the one before it, whether the database has it
    (when there is one), what it does."""
    # imported here: not by the command's parsing or help
    from rich.table import Table

    from hub.migrations import history, schema_state

    settings = load_cli_settings(config, data_dir=data_dir, database_url=database_url)
    current: str | None = None
    known = settings.database_url is not None or (settings.data_dir / "crossdock.db").is_file()
    if known:
        from hub.storage import engine_for

        engine = engine_for(settings.resolved_database_url)
        try:
            current = schema_state(engine).current
        finally:
            engine.dispose()

    def applied(revision: str) -> bool | None:
        # ids are "r" and a zero-padded number: in order as strings
        return (current is not None and revision <= current) if known else None

    revisions = history()
    if as_json:
        for r in revisions:
            row = {"revision": r.id, "down": r.down, "applied": applied(r.id), "about": r.about}
            sys.stdout.write(json.dumps(row) + "\n")
        return
    table = Table("revision", "down", *(["applied"] if known else []), "about")
    for r in revisions:
        mark = ["yes" if applied(r.id) else "no"] if known else []
        table.add_row(r.id, r.down or "", *mark, r.about)
    out.print(table)
