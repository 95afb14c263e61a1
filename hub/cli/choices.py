"""The values an option takes from a fixed set, checked by the command line (exit 2 naming them).

They mirror the hub's own enums (a dead letter's status, a token's role, a routing task's state)
without importing them: the modules that define those pull in the database layer, and
``crossdock --help`` must start fast. ``tests/cli/test_conventions.py`` checks that each set
equals its enum.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["LetterStatus", "TaskStateChoice", "TokenRole"]


class LetterStatus(StrEnum):
    """A dead letter's status (``connectors.sdk.deadletter.DeadLetterStatus``), or all."""

    OPEN = "open"
    REPLAYED = "replayed"
    DISCARDED = "discarded"
    ALL = "all"


class TokenRole(StrEnum):
    """A token's role (``hub.auth.Role``): viewer < operator < admin."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


class TaskStateChoice(StrEnum):
    """A routing task's state (``hub.routing.taxonomy.TaskState``)."""

    PENDING = "pending"
    HELD = "held"
    OPEN = "open"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
