"""A database behind this hub's code: ``crossdock run`` and ``serve`` refuse it (exit 1) naming
the command that migrates it, unless given ``--upgrade``; any other command meeting it says the
same in one line (:func:`hub.cli.app.main`)."""

from typing import TYPE_CHECKING, Any

from click.exceptions import Exit

from hub.cli.exit_codes import ExitCode
from hub.cli.report import err
from hub.command_hints import command_hint

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.migrations import SchemaBehind

__all__ = ["behind_line", "ready_database"]


def ready_database(settings: "Settings", *, upgrade: bool, where: dict[str, Any]) -> None:
    """The database at this hub's newest revision before any part starts: an empty one is
    migrated, one behind only with ``--upgrade``; else exit 1 naming the command to run.

    ``where`` holds the location options given on the command line, which the hint carries.
    """
    # imported here: the database layer is what the commands that need it pay for
    from hub.database import connect
    from hub.migrations import SchemaBehind

    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        connect(settings.resolved_database_url, upgrade=upgrade).dispose()
    except SchemaBehind as exc:
        # one line (err.error soft-wraps): the command it names is copied whole
        err.error(behind_line(exc, where))
        raise Exit(ExitCode.FAILED) from exc


def behind_line(exc: "SchemaBehind", where: dict[str, Any]) -> str:
    """What a command refused on a database behind the code prints: the command to run."""
    if exc.state.ahead:
        return str(exc)
    return f"{exc}: run `{command_hint('db upgrade', **where)}` (or start the hub with --upgrade)"
