"""The exception taxonomy: what kind of problem a task is, and how bad.

Categories are the store-operations vocabulary; a rules file may add its own (``taxonomy:`` in
routing.yaml) but cannot remove these, so dashboards and integrations can rely on them.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = ["BUILTIN_CATEGORIES", "Severity", "TaskState"]

BUILTIN_CATEGORIES: dict[str, str] = {
    "inventory_variance": "counted stock differs from the system's on-hand figure",
    "price_discrepancy": "a price differs between systems, shelf and till",
    "click_and_collect_delay": "a pickup order is not ready by its promised time",
    "invoice_mismatch": "a supplier invoice does not match its order or receipt",
    "return_anomaly": "a return is unusually valuable or unusual in kind",
    "integration_failure": "a connector is failing to deliver records (dead letters)",
    "fulfilment_exception": "an order cannot be fulfilled as promised",
}
"""Category name → what it means; the built-in part of the taxonomy."""


class Severity(IntEnum):
    """How bad one exception is, worst first (the int orders them: lower is worse)."""

    CRITICAL = 1
    HIGH = 2
    MEDIUM = 3
    LOW = 4
    INFO = 5

    @classmethod
    def parse(cls, name: str) -> Severity:
        """``"high"`` → ``Severity.HIGH``; ValueError naming the choices otherwise."""
        try:
            return cls[name.upper()]
        except KeyError:
            choices = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"severity {name!r} is not one of {choices}") from None

    @property
    def label(self) -> str:
        """Lower-case name as written in rules and shown to people."""
        return self.name.lower()


class TaskState(StrEnum):
    """Where a task is in its life.

    ``pending`` waits out its group wait (more lines may join); ``held`` is inhibited or muted
    by a maintenance window and not notified; ``open`` was notified; ``escalated`` went past an
    escalation step unacknowledged; ``acknowledged`` somebody owns it; ``resolved`` is done.
    """

    PENDING = "pending"
    HELD = "held"
    OPEN = "open"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
