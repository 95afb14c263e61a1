"""The group every ``crossdock`` command group is: commands listed in the order they were
added, a command named ``module:attribute`` imported only when a command line, a help page or
completion needs it (so that ``crossdock dlq list`` loads the dead-letter commands and none of
the others), the command meant suggested for an unknown one, and Ctrl-C exit 130
(:mod:`hub.cli.exit_codes`). A command's old name stays as a :func:`hidden_alias`."""

from __future__ import annotations

import copy
from importlib import import_module
from typing import Any, TypeVar

import click
from click.exceptions import NoSuchCommand

from hub.cli.exit_codes import ExitCode

C = TypeVar("C", bound=click.Command)

__all__ = ["Group", "hidden_alias"]


class Group(click.Group):
    """A group of commands: listed in the order added, imported when needed (``lazy``).

    ``lazy`` maps a command's name to ``"module:attribute"``, the click command (or group) to
    import when the command line names it, when help lists it, or when completion offers it.
    """

    group_class = type  # a group's groups are of its class

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **attrs: Any) -> None:
        super().__init__(*args, **attrs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(dict.fromkeys([*self.lazy, *self.commands]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is no click command")
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except NoSuchCommand as exc:
            # click suggests among the commands imported so far: suggest among all of them
            raise NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # click's own answer is "Aborted!" and exit 1; the hub's is 130, as a shell's
            raise click.exceptions.Exit(ExitCode.INTERRUPTED) from None


def hidden_alias(command: C) -> C:
    """The same command (or group), left out of help: an old name kept for a release."""
    alias = copy.copy(command)
    alias.hidden = True
    return alias
