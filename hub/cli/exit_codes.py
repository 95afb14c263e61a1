"""The exit codes of every ``crossdock`` command.

====  ==========================================================================================
0     done; nothing failed
1     a record failed (dead-lettered, refused, or an error in ``translate``), or a runtime
      error (a broker or peer down, a source read that failed)
2     usage or configuration: an unknown option or value, an invalid crossdock.yaml, a folder
      or file given that does not exist
130   interrupted (Ctrl-C, or SIGTERM from a supervisor): what was confirmed is kept and said
====  ==========================================================================================

click answers a usage error with 2, and Ctrl-C is 130 for every command
(:class:`hub.cli.commands.Group`); commands raise ``click.exceptions.Exit(ExitCode.…)`` for the
others.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    """What a ``crossdock`` command's exit status means (see the module's table)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130
