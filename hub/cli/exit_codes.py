"""The exit codes of every ``crossdock`` command, and the entry point that keeps them.

====  ==========================================================================================
0     done; nothing failed
1     a record failed (dead-lettered, refused, or an error in ``translate``), or a runtime
      error (a broker or peer down, a source read that failed)
2     usage or configuration: an unknown option or value, an invalid crossdock.yaml, a folder
      or file given that does not exist
130   interrupted (Ctrl-C, or SIGTERM from a supervisor): what was confirmed is kept and said
====  ==========================================================================================

Typer answers Ctrl-C with 130 (click alone says ``Aborted!`` and exits 1, which a script cannot
tell from a failed record); :func:`run_command_line` keeps that for an end of input too.
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import typer

__all__ = ["ExitCode", "run_command_line"]


class ExitCode(IntEnum):
    """What a ``crossdock`` command's exit status means (see the module's table)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


def run_command_line(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the command line of ``app`` and return its exit code, Ctrl-C being 130."""
    import typer.main

    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="crossdock", standalone_mode=False)
    except click.exceptions.Abort:  # end of input at a prompt
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:  # a usage error: unknown option, bad value
        exc.show()
        return exc.exit_code
    return result if isinstance(result, int) else ExitCode.OK
