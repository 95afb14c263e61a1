"""CEL expressions, compiled once with the Rust-backed ``common-expression-language`` package.

A program is compiled when the rules are loaded; evaluating it against an event's context (built
once per event, see :mod:`hub.routing.context`) costs about a microsecond here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cel

from hub.routing.errors import ExpressionError

__all__ = ["Expression"]


@dataclass(frozen=True, slots=True)
class Expression:
    """One compiled CEL expression, with the rule it belongs to for error messages."""

    rule: str
    source: str
    program: cel.Program

    @classmethod
    def compile(cls, rule: str, source: str) -> Expression:
        """Compile ``source``; ExpressionError with the parser's message when it is not CEL."""
        try:
            program = cel.compile(source)
        except (ValueError, RuntimeError) as exc:
            raise ExpressionError(rule, source, str(exc).splitlines()[0]) from exc
        return cls(rule, source, program)

    def evaluate(self, context: cel.Context) -> Any:
        """The value on ``context``; ExpressionError when a field is missing or types clash."""
        try:
            return self.program.execute(context)
        except Exception as exc:  # the binding raises KeyError, TypeError, ValueError, RuntimeError
            raise ExpressionError(self.rule, self.source, f"{type(exc).__name__}: {exc}") from exc

    def test(self, context: cel.Context) -> bool:
        """Evaluate a condition: it must give a bool (a number or a string is an error)."""
        value = self.evaluate(context)
        if not isinstance(value, bool):
            raise ExpressionError(
                self.rule, self.source, f"a condition must be a bool, got {type(value).__name__}"
            )
        return value
