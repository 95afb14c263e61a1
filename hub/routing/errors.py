"""The routing layer's errors.

::

    CrossdockError                        the one root (canonical.errors)
    └── RoutingError                      root of every error raised by hub.routing
        ├── RulesError                    routing.yaml is invalid (file, line, field, why); all at
        │                                 once
        ├── ExpressionError               a CEL expression failed to compile or to evaluate
        ├── TaskError (LookupError)       unknown task, or a transition its state does not allow
        ├── InsufficientHistory           a classifier has too little history to judge
        │   (LookupError)                 (hub.routing.classifier)
        └── DeliveryError                 a target could not take a notification
            ├── TargetUnavailable         transient (connection, timeout, 5xx, 429): retried
            │   (ConnectionError)
            └── TargetRejected            permanent (4xx, refused recipient): dead-lettered at once

``TargetUnavailable`` subclasses ``ConnectionError`` so the hub's one retry table
(:mod:`hub.retry`) already calls it retryable; :data:`DELIVERY_RETRY_TABLE` adds the row that
sends ``TargetRejected`` straight to the dead letters.
"""

from __future__ import annotations

from dataclasses import dataclass

from canonical.errors import CrossdockError
from hub.retry import DEFAULT_TABLE, Action, Decision, FailureType

__all__ = [
    "DELIVERY_RETRY_TABLE",
    "DeliveryError",
    "ExpressionError",
    "RoutingError",
    "RuleProblem",
    "RulesError",
    "TargetRejected",
    "TargetUnavailable",
    "TaskError",
]


class RoutingError(CrossdockError):
    """Root of the errors raised by the routing layer."""


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One problem found in a rules file: where it is and why it is wrong."""

    file: str
    line: int | None
    field: str
    why: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.why}"


class RulesError(RoutingError, ValueError):
    """A rules file is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ExpressionError(RoutingError, ValueError):
    """A CEL expression did not compile, or failed on an event (rule id and source named)."""

    def __init__(self, rule: str, source: str, why: str) -> None:
        self.rule, self.source, self.why = rule, source, why
        super().__init__(f"rule {rule}: expression {source!r}: {why}")


class TaskError(RoutingError, LookupError):
    """An unknown task, or a state change the task's state does not allow."""


class DeliveryError(RoutingError):
    """A target could not take a notification."""

    def __init__(self, target: str, why: str) -> None:
        self.target, self.why = target, why
        super().__init__(f"target {target}: {why}")


class TargetUnavailable(DeliveryError, ConnectionError):
    """The target is down or overloaded (connection refused, timeout, 5xx, 429): try again."""


class TargetRejected(DeliveryError):
    """The target refused the notification itself (4xx, bad recipient): retrying cannot help."""


DELIVERY_RETRY_TABLE = DEFAULT_TABLE.extend(
    {TargetRejected: Decision(Action.DEAD_LETTER, FailureType.CONFIG)}
)
"""The hub's retry table plus the delivery row: a rejected notification is dead-lettered."""
