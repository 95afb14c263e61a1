"""Commands Crossdock prints for a person to type next, written so that they work when copied.

A hint names the program as this shell reaches it (``crossdock`` when ``PATH`` finds this very
script, else the path it was started by, such as ``.venv/bin/crossdock``) and carries the
options that say where the hub's data is (``--data-dir``, ``--config``, ``--database-url``):
without them the copied command would read, or create, another folder's database.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from hub.config import Settings

__all__ = [
    "command_hint",
    "crossdock_program",
    "location_options",
    "masked_url",
    "settings_hint",
]


def crossdock_program(*, absolute: bool = False) -> str:
    """How a shell calls this ``crossdock``: its bare name when ``PATH`` finds this script,
    else its path (relative to the working folder when it is inside it, unless ``absolute``).

    ``absolute`` is for hints read elsewhere than the shell that started the process (a web
    page): a relative path would depend on the reader's working folder.
    """
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started is None or started.name != "crossdock" or not started.exists():
        # ``python -m hub.cli``, a server under another program (uvicorn, pytest): the console
        # script installed beside this interpreter
        started = Path(sys.executable).parent / "crossdock"
        if not started.exists():
            return f"{shlex.quote(sys.executable)} -m hub.cli"
    found = shutil.which("crossdock")
    if found is not None and Path(found).resolve() == started.resolve():
        return "crossdock"
    if not absolute and not started.is_absolute():
        return shlex.quote(str(started))
    resolved = started.absolute()
    if not absolute:
        try:
            return shlex.quote(str(resolved.relative_to(Path.cwd())))
        except ValueError:
            pass
    return shlex.quote(str(resolved))


def masked_url(url: str) -> str:
    """``url`` with its password replaced by ``PASSWORD`` (hints are printed and logged)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:PASSWORD@{netloc}"))


def location_options(
    *,
    config: Path | None = None,
    data_dir: Path | None = None,
    database_url: str | None = None,
) -> list[str]:
    """The options a hint repeats so that it reaches the same data: those given, in order."""
    options: list[str] = []
    if config is not None:
        options += ["--config", str(config)]
    if data_dir is not None:
        options += ["--data-dir", str(data_dir)]
    if database_url is not None:
        options += ["--database-url", masked_url(database_url)]
    return options


def command_hint(
    args: str,
    *,
    config: Path | None = None,
    data_dir: Path | None = None,
    database_url: str | None = None,
    absolute: bool = False,
) -> str:
    """``crossdock ARGS`` with the location options, each quoted for a POSIX shell."""
    options = location_options(config=config, data_dir=data_dir, database_url=database_url)
    tail = " ".join(shlex.quote(option) for option in options)
    return " ".join(part for part in (crossdock_program(absolute=absolute), args, tail) if part)


def settings_hint(args: str, settings: Settings) -> str:
    """``crossdock ARGS`` reaching the database of ``settings`` from any folder: its
    ``--database-url`` when one is configured, else its data folder as an absolute path.

    For hints a running hub shows (its web pages): the reader's shell may be anywhere.
    """
    if settings.database_url is not None:
        return command_hint(args, database_url=settings.database_url, absolute=True)
    return command_hint(args, data_dir=settings.data_dir.absolute(), absolute=True)
