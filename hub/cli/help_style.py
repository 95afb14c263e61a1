"""How ``crossdock … --help`` shows options and arguments, the way Unix tools write them.

Typer's help prints a type beside every option, so a flag reads ``--once  <bool>`` although it
takes no value, and it writes a required argument ``{letter_id}`` in the usage line. Typer has
no setting for either (it is pinned in constraints.txt): this module wraps the two methods that
answer them, so that a flag shows no type and an argument reads ``LETTER_ID`` (``[LETTER_ID]``
when optional). ``tests/cli/test_conventions.py`` reads the help of every command and fails on
``<bool>`` or braces, so a Typer upgrade that renames the methods is caught.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperOption

__all__ = ["use_unix_help_style"]

_shown_type = TyperOption.display_type_rich


def _flag_shows_no_type(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag:
        return None
    shown: str | None = _shown_type(self, ctx)
    return shown


def _argument_in_capitals(self: TyperArgument) -> str:
    name = self.metavar or self.name.upper().replace("-", "_")
    shown = name if self.required else f"[{name}]"
    return shown + ("..." if self.nargs != 1 else "")


def use_unix_help_style() -> None:
    """Flags show no type; arguments read ``NAME`` in the usage line (idempotent)."""
    TyperOption.display_type_rich = _flag_shows_no_type  # type: ignore[method-assign]
    TyperArgument._usage_display_name = _argument_in_capitals  # type: ignore[method-assign]
