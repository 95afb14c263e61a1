"""The options many commands share, with one name and one meaning each, and their value types.

``--config`` is always crossdock.yaml, ``--data-dir`` the hub's data folder, ``--database-url``
and ``--bus-url`` override where the database and bus are, ``--json`` prints JSON lines (a
list) or one JSON object (a summary) instead of tables. An option renamed keeps its old
spelling as a hidden alias for a release (:func:`alias`).

A value from a fixed set is a :class:`ValueChoice` of an enum's values (exit 2 naming them);
a time is :data:`DATETIME`, ISO 8601.
"""

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click

from hub.cli.report import LogFormat

__all__ = [
    "API_PORT",
    "DATETIME",
    "INPUT_FILE",
    "INPUT_FOLDER",
    "PATH",
    "POSITIVE",
    "ValueChoice",
    "alias",
    "bus_url_option",
    "config_option",
    "data_dir_option",
    "database_url_option",
    "json_option",
    "log_format_option",
    "upgrade_option",
]

F = TypeVar("F", bound=Callable[..., Any])


class ValueChoice(click.Choice[str]):
    """One of an enum's values (shown and completed as the values), given as its member."""

    def __init__(self, enum: type[Enum]) -> None:
        super().__init__([str(member.value) for member in enum])
        self.enum = enum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return self.enum(super().convert(value, param, ctx))


class _IsoTime(click.ParamType[datetime]):
    """An ISO 8601 time (``2026-11-23``, ``2026-11-23T10:00:00``, with ``Z`` or an offset)."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time (e.g. 2026-11-23T10:00:00Z)", param, ctx)


DATETIME = _IsoTime()
PATH = click.Path(path_type=Path)
API_PORT = click.IntRange(0, 65535)  # a TCP port (0: any free one)
# seconds between polls or ticks, a rate: 0 would spin, below it fails deep in the run
POSITIVE = click.FloatRange(min=0, min_open=True)
# what a command only reads: a name that is not there is a usage error (exit 2) naming the
# option, before any work, never a runtime error or a folder silently left out
INPUT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
INPUT_FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)

config_option = click.option(
    "--config", "-c", type=PATH, help="crossdock.yaml (default: ./crossdock.yaml)"
)
data_dir_option = click.option(
    "--data-dir", type=PATH, help="the hub's data folder: embedded bus and database"
)
bus_url_option = click.option(
    "--bus-url", help="sqlite:///… (embedded) or amqp://… (RabbitMQ)"
)  # fmt: skip
database_url_option = click.option(
    "--database-url", help="sqlite:///… or postgresql+psycopg://…"
)  # fmt: skip
upgrade_option = click.option(
    "--upgrade",
    is_flag=True,
    help="migrate a database behind this hub first (default: refuse to start, naming "
    "`crossdock db upgrade`); an empty one is always migrated",
)
log_format_option = click.option(
    "--log-format",
    type=ValueChoice(LogFormat),
    default=LogFormat.CONSOLE.value,
    envvar="CROSSDOCK_LOG_FORMAT",
    show_envvar=True,
    help="console: lines for a person (rich); json: one JSON object a line (time, level, "
    "message, trace and event ids) for a log platform",
)


def json_option(help: str = "JSON instead of a table") -> Callable[[F], F]:
    """``--json`` (the parameter ``as_json``): JSON lines for a list, an object for a summary."""
    return click.option("--json", "as_json", is_flag=True, help=help)


T = TypeVar("T")


def alias(new: T, old: T | None, default: T) -> T:
    """The value of an option given under its new name or its old (hidden) one.

    ``default`` is the new option's default: the old spelling counts only when the new one was
    left at it.
    """
    if old is not None and new == default:
        return old
    return new
