"""Report lines: what a command tells its operator, on a rich console or as JSON lines.

Every line the commands print for people (a run's progress, a file's counts, a refused file,
an error) and every log record of the hub's modules goes through one :class:`Reporter`: the
rich console renders it (the default), or ``--log-format json`` writes it as one JSON object a
line — ``time``, ``level``, ``message`` (the text without its colours), the ``logger`` of a log
record, the current span's ``trace_id`` and ``span_id`` when tracing is on, and the ids the
caller knows (``file``, ``event_id``, ``trace_id`` of a file …). A platform's log collector
reads the second; a person at a terminal the first.

The reporter takes the rich console's ``print`` (so every call site says what it always said)
plus ``level`` and ``ids``; a line's level is ``error`` when it says so (``error:``,
``refused``), ``warning`` for a dead letter, else ``info``, unless the caller gives one.
"""

from __future__ import annotations

import io
import logging
import sys
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["PIPED_TABLE_WIDTH", "LogFormat", "Reporter", "err", "out", "set_log_format"]


PIPED_TABLE_WIDTH = 200
"""Columns a table printed into a file or a pipe gets at least (see :meth:`Reporter.print`)."""


class LogFormat(StrEnum):
    """How the commands write their lines (``--log-format``)."""

    CONSOLE = "console"
    """For a person: rich's colours, progress bars, tables."""
    JSON = "json"
    """For a log platform: one JSON object a line."""


_ERROR_WORDS = ("error:", "refused", "drift:")
_WARNING_WORDS = ("dead letter", "warning:", "interrupted")


class Reporter:
    """One output stream of the commands (stdout or stderr), in the process's log format."""

    def __init__(self, *, stderr: bool, soft_wrap: bool = False) -> None:
        self.stderr = stderr
        self.soft_wrap = soft_wrap
        self.format = LogFormat.CONSOLE

    @cached_property
    def console(self) -> Console:
        """The rich console, made when the first line is printed."""
        # imported here: `crossdock --help` and a command line's parsing never load rich
        from rich.console import Console

        return Console(stderr=self.stderr, soft_wrap=self.soft_wrap)

    # -- the rich console's surface the commands use -------------------------------------------
    @property
    def is_terminal(self) -> bool:
        """Whether the stream is a terminal (JSON lines never are, for this purpose)."""
        return self.format == "console" and self.console.is_terminal

    @property
    def width(self) -> int:
        """The console's width in characters."""
        return self.console.width

    def print(
        self,
        *objects: Any,
        level: str | None = None,
        ids: dict[str, Any] | None = None,
        markup: bool | None = None,
        min_width: int | None = None,
        **options: Any,
    ) -> None:
        """Print ``objects`` as the console does, or as one JSON line.

        A table written where the stream is not a terminal (a file, a pipe, a CI log) gets
        ``min_width`` columns at least (:data:`PIPED_TABLE_WIDTH` unless given): there rich
        assumes 80, which folds every row of a wide table and cuts its cells short.
        """
        if self.format == "console":
            console = self.console
            if not console.is_terminal and _has_table(objects):
                width = min_width or PIPED_TABLE_WIDTH
                if console.width < width:
                    # imported here: see Reporter.console
                    from rich.console import Console

                    console = Console(stderr=self.stderr, soft_wrap=self.soft_wrap, width=width)
            console.print(*objects, markup=markup, **options)
            return
        message = " ".join(_plain(o, markup=markup is not False) for o in objects)
        self.line(message, level=level or _level_of(message), ids=ids)

    def error(self, message: object) -> None:
        """``error: MESSAGE``, the message printed as it is: an error quotes what it was given
        (a pattern such as ``^[a-z0-9]…``, a partner's value, a path), which rich's markup
        would otherwise take for tags and drop."""
        # imported here: see Reporter.console
        from rich.markup import escape

        self.print(f"[red]error:[/] {escape(str(message))}", highlight=False, soft_wrap=True)

    # -- structured ------------------------------------------------------------------------------
    def line(
        self,
        message: str,
        *,
        level: str = "info",
        ids: dict[str, Any] | None = None,
        logger: str | None = None,
    ) -> None:
        """One report line: rendered plainly on the console, a JSON object in JSON format."""
        if self.format == "console":
            self.console.print(message, markup=False, highlight=False)
            return
        record: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": level,
            "message": message,
        }
        if logger is not None:
            record["logger"] = logger
        current = _current_ids()
        if current is not None:
            record["trace_id"], record["span_id"] = current
        for key, value in (ids or {}).items():
            if value is not None:
                record[key] = value
        # imported here, as rich is: only a JSON line needs it
        import orjson

        stream = sys.stderr if self.stderr else sys.stdout
        stream.write(orjson.dumps(record, default=str).decode() + "\n")
        stream.flush()


out = Reporter(stderr=False)
err = Reporter(stderr=True, soft_wrap=True)  # report lines stay whole in logs and pipes


def set_log_format(fmt: LogFormat) -> None:
    """Switch every command's output (and the log records of the hub's modules) to ``fmt``."""
    out.format = err.format = fmt
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _ToReporter)]:
        root.removeHandler(handler)
    if fmt == "json":
        # without it, Python's last-resort handler writes warnings as bare text
        root.addHandler(_ToReporter())
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)


class _ToReporter(logging.Handler):
    """Log records as report lines on stderr (JSON format only)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            ids = {
                key: getattr(record, key)
                for key in ("event_id", "file", "delivery_id", "task_id")
                if hasattr(record, key)
            }
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            err.line(message, level=record.levelname.lower(), ids=ids, logger=record.name)
        except Exception:  # a log line must never break the work it reports on
            self.handleError(record)


def _has_table(objects: tuple[Any, ...]) -> bool:
    from rich.table import Table  # imported here: see Reporter.console

    return any(isinstance(o, Table) for o in objects)


def _plain(obj: Any, *, markup: bool) -> str:
    """The text of a console object without colours (a table rendered as text)."""
    from rich.console import Console  # imported here: see Reporter.console
    from rich.text import Text

    if isinstance(obj, str):
        return Text.from_markup(obj).plain if markup else obj
    buffer = io.StringIO()
    Console(file=buffer, width=PIPED_TABLE_WIDTH, no_color=True, soft_wrap=True).print(obj)
    return buffer.getvalue().rstrip("\n")


def _level_of(message: str) -> str:
    lowered = message.lstrip().lower()
    if lowered.startswith(_ERROR_WORDS):
        return "error"
    if any(word in lowered for word in _WARNING_WORDS):
        return "warning"
    return "info"


def _current_ids() -> tuple[str, str] | None:
    # imported here: tracing is connectors.sdk's seam; most commands report before any span
    from connectors.sdk.tracing import current_ids

    return current_ids()
