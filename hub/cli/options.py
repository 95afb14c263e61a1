"""The options many commands share, with one name and one meaning each.

``--config`` is always crossdock.yaml, ``--data-dir`` the hub's data folder, ``--database-url``
and ``--bus-url`` override where the database and bus are, ``--json`` prints JSON lines (a
list) or one JSON object (a summary) instead of tables. An option renamed keeps its old
spelling as a hidden alias for a release (:func:`alias`).
"""

from pathlib import Path
from typing import Annotated, TypeVar

import typer

from hub.cli.report import LogFormat

__all__ = [
    "BusOpt",
    "ConfigOpt",
    "DataDirOpt",
    "DbOpt",
    "JsonOpt",
    "LogFormatOpt",
    "UpgradeOpt",
    "alias",
]

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="crossdock.yaml (default: ./crossdock.yaml)")
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="the hub's data folder: embedded bus and database"),
]
BusOpt = Annotated[
    str | None, typer.Option("--bus-url", help="sqlite:///… (embedded) or amqp://… (RabbitMQ)")
]
DbOpt = Annotated[
    str | None, typer.Option("--database-url", help="sqlite:///… or postgresql+psycopg://…")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON instead of a table")]
UpgradeOpt = Annotated[
    bool,
    typer.Option(
        "--upgrade",
        help="migrate a database behind this hub first (default: refuse to start, naming "
        "`crossdock db upgrade`); an empty one is always migrated",
    ),
]

LogFormatOpt = Annotated[
    LogFormat,
    typer.Option(
        "--log-format",
        envvar="CROSSDOCK_LOG_FORMAT",
        help="console: lines for a person (rich); json: one JSON object a line (time, level, "
        "message, trace and event ids) for a log platform",
    ),
]

T = TypeVar("T")


def alias(new: T, old: T | None, default: T) -> T:
    """The value of an option given under its new name or its old (hidden) one.

    ``default`` is the new option's default: the old spelling counts only when the new one was
    left at it.
    """
    if old is not None and new == default:
        return old
    return new
