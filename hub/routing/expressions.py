"""CEL expressions, compiled once with the Rust-backed ``common-expression-language`` package.

A program is compiled when the rules are loaded; evaluating it against an event's context (built
once per event, see :mod:`hub.routing.context`) costs about a microsecond here. The rules file's
``params`` are constants, so ``params.name`` is compiled in as its value: handing them to CEL
with every event cost ~16 µs of a stock count's routing. Building the CEL context itself cost
more than evaluating every rule on it (~30 µs a stock count), so an expression in the plain
subset of :mod:`hub.routing.native` is also lowered to Python and evaluated on the context's
Python values; CEL evaluates the rest, and whatever the Python form cannot mirror exactly.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hub.routing.cel_library import cel
from hub.routing.errors import ExpressionError
from hub.routing.native import Native, Unsupported, lower

__all__ = ["Expression", "Scope", "fold_constants"]


class Scope(Protocol):
    """What an expression is evaluated on: the variables as Python values, and the CEL
    context built from them (only when an expression needs CEL itself)."""

    @property
    def variables(self) -> Mapping[str, Any]:
        """Variable name → its value, as handed to CEL."""
        ...

    @property
    def cel(self) -> cel.Context:
        """The CEL context of :attr:`variables`."""
        ...


# a string literal (kept as it is), or a params.<name> that is not a field of something else
_PARAM = re.compile(
    r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?<![\w.])params\s*\.\s*([A-Za-z_]\w*)\b"""
)


def _literal(value: Any) -> str | None:
    """``value`` as a CEL literal, or None when it has none (left to the context)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are CEL's
    return None


def fold_constants(source: str, constants: Mapping[str, Any]) -> str:
    """``source`` with each ``params.name`` of ``constants`` written as its value."""

    def swap(match: re.Match[str]) -> str:
        if match.group(1) is not None or match.group(2) not in constants:
            return match.group(0)
        literal = _literal(constants[match.group(2)])
        return match.group(0) if literal is None else literal

    return _PARAM.sub(swap, source)


@dataclass(frozen=True, slots=True)
class Expression:
    """One compiled CEL expression, with the rule it belongs to for error messages."""

    rule: str
    source: str
    program: cel.Program
    compiled: str = ""
    """What was compiled: ``source`` with the constants folded in."""
    native: Native | None = None
    """The same expression in Python when it is in :mod:`hub.routing.native`'s subset."""

    @classmethod
    def compile(
        cls, rule: str, source: str, constants: Mapping[str, Any] | None = None
    ) -> Expression:
        """Compile ``source`` (``params.name`` of ``constants`` folded in); ExpressionError with
        the parser's message when it is not CEL."""
        compiled = fold_constants(source, constants) if constants else source
        try:
            program = cel.compile(compiled)
        except (ValueError, RuntimeError) as exc:
            raise ExpressionError(rule, source, str(exc).splitlines()[0]) from exc
        return cls(rule, source, program, compiled, lower(compiled))

    def evaluate(self, context: cel.Context | Scope) -> Any:
        """The value on ``context``; ExpressionError when a field is missing or types clash.

        On a :class:`Scope`, the Python form decides when it can (CEL's answer, without
        building a CEL context); otherwise CEL evaluates."""
        if not isinstance(context, cel.Context):
            if self.native is not None:
                try:
                    return self.native(context.variables)
                except (Unsupported, KeyError, TypeError, ValueError, ArithmeticError):
                    pass  # outside what the Python form mirrors: CEL decides, as always
            context = context.cel
        try:
            return self.program.execute(context)
        except Exception as exc:  # the binding raises KeyError, TypeError, ValueError, RuntimeError
            raise ExpressionError(self.rule, self.source, f"{type(exc).__name__}: {exc}") from exc

    def test(self, context: cel.Context | Scope) -> bool:
        """Evaluate a condition: it must give a bool (a number or a string is an error)."""
        value = self.evaluate(context)
        if not isinstance(value, bool):
            raise ExpressionError(
                self.rule, self.source, f"a condition must be a bool, got {type(value).__name__}"
            )
        return value
