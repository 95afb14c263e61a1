"""Infrastructure and configuration failures said in one line, with the exit code they mean.

A command that meets a broker or a database that does not answer, a configuration that cannot
work, or a folder it may not write says so in one line naming what failed and where (URLs
without their passwords), never with a page of traceback: exit 2 for configuration, 1 for a
failure at run time (see :mod:`hub.cli.exit_codes`). Anything else is a defect, and keeps its
traceback.
"""

import socket

from amqp.exceptions import RecoverableConnectionError
from kombu.exceptions import OperationalError as KombuOperationalError

from hub.cli.exit_codes import ExitCode
from hub.database import DATABASE_ERRORS
from hub.errors import ConfigError, HubError

__all__ = ["failure_line"]


def failure_line(exc: BaseException) -> tuple[str, ExitCode] | None:
    """``(line, exit code)`` for an infrastructure or configuration failure; else None."""
    if isinstance(exc, ConfigError):
        return f"configuration: {_first_line(exc)}", ExitCode.USAGE
    if isinstance(exc, HubError):  # the hub's own words already name what and where
        return _first_line(exc), ExitCode.FAILED
    if isinstance(exc, DATABASE_ERRORS):
        orig = getattr(exc, "orig", None) or exc
        return f"database: {type(orig).__name__}: {_first_line(orig)}", ExitCode.FAILED
    if isinstance(
        exc, KombuOperationalError | RecoverableConnectionError | ConnectionError | socket.gaierror
    ):
        return f"broker: {type(exc).__name__}: {_first_line(exc)}", ExitCode.FAILED
    if isinstance(exc, OSError) and exc.filename is not None:  # a file or folder, named
        return f"{exc.filename}: {exc.strerror or exc}", ExitCode.FAILED
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
