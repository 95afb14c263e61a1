"""The settings a command runs with, and the folders it may use or create.

Every command loads its settings here: crossdock.yaml (or ``--config``), the environment, then
the options given. A configuration error is exit 2 naming every field. Folders follow one rule,
so that a typo never watches or fills an empty folder somewhere else:

- a folder named on the command line (``--inbox``, ``--data-dir``) must exist;
- an inbox named by ``CROSSDOCK_INBOX`` or crossdock.yaml must exist too (a typo there would
  watch a new empty folder and exit 0);
- the default inbox (``./inbox``) and data folder (``./var``) are made in the working folder
  when needed, and a data folder that the environment or crossdock.yaml names is made when
  needed (configuring it asked for it);
- a command that only reads (``dlq list``, ``token list``, ``routing tasks``…) never makes a
  database: without one it says where it looked, exit 2.
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

from click.exceptions import Exit

from hub.cli.exit_codes import ExitCode
from hub.cli.report import err

if TYPE_CHECKING:
    from hub.config import Settings

__all__ = ["existing_database", "load_cli_settings"]


def _fail(message: str) -> Exit:
    err.error(message)
    return Exit(ExitCode.USAGE)


def load_cli_settings(
    config: Path | None,
    *,
    data_dir: Path | None = None,
    bus_url: str | None = None,
    database_url: str | None = None,
    inbox: Path | None = None,
    needs_inbox: bool = False,
) -> "Settings":
    """The settings of a command, its folders checked (see the module's rules); exit 2 else.

    ``needs_inbox``: the command watches the inbox (``crossdock run``), so a configured one
    must exist.
    """
    from hub.config import load_settings
    from hub.errors import ConfigError

    problems = [
        f"{option} {path}: no such folder"
        for option, path in (("--inbox", inbox), ("--data-dir", data_dir))
        if path is not None and not path.is_dir()
    ]
    if problems:
        raise _fail("; ".join(problems))
    try:
        settings = load_settings(
            config, data_dir=data_dir, bus_url=bus_url, database_url=database_url, inbox=inbox
        )
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    if needs_inbox and settings.inbox is not None and not settings.inbox.is_dir():
        named_by = (
            "CROSSDOCK_INBOX"
            if os.environ.get("CROSSDOCK_INBOX")
            else f"inbox in {config or 'crossdock.yaml'}"
        )
        raise _fail(f"the inbox {settings.inbox} ({named_by}): no such folder")
    return settings


def existing_database(settings: "Settings") -> str:
    """The database URL of ``settings`` for a command that works on what a hub stored: an
    embedded database must already exist (the command never makes an empty one); exit 2
    naming where it looked."""
    where = settings.data_dir / "crossdock.db"
    if settings.database_url is None and not where.is_file():
        raise _fail(
            f"no hub database at {where}: nothing has run with this data folder "
            "(give the --data-dir or --config the hub ran with, as `crossdock run` printed)"
        )
    return settings.resolved_database_url
