"""What every target takes and gives back: a :class:`Notification` in, a receipt out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["DeliveryReceipt", "Notification", "Target", "TargetContext"]


@dataclass(frozen=True, slots=True)
class TargetContext:
    """What a target may take from the hub that runs it rather than from its own config."""

    bus_url: str | None = None
    """The hub's bus: where a queue target without its own ``url`` publishes."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing a target is told about one task.

    ``purpose`` is why: ``opened``, ``released`` (inhibition or maintenance ended),
    ``sla_50``, ``sla_75``, ``sla_breach``, ``escalation``, ``review`` (low classifier
    confidence). ``delivery_id`` is stable across retries, so receivers can drop copies.
    """

    delivery_id: str
    task_id: int
    purpose: str
    rule: str
    category: str
    severity: str
    priority: int
    impact: int
    urgency: int
    title: str
    summary: str
    correlation_id: str
    state: str
    labels: dict[str, str] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    occurrences: int = 1
    escalation_level: int = 0
    line_count: int | None = None
    """How many lines the task has when ``lines`` holds only the first of them (a bulk
    count's task holds tens of thousands); None: ``lines`` holds them all."""

    @property
    def total_lines(self) -> int:
        """How many lines the task has, whether or not ``lines`` holds them all."""
        return len(self.lines) if self.line_count is None else self.line_count

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (the body webhooks and queues carry);
        ``line_count`` is the task's, which ``lines`` may hold only the first of."""
        return {
            "delivery_id": self.delivery_id,
            "task_id": self.task_id,
            "purpose": self.purpose,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "priority": self.priority,
            "impact": self.impact,
            "urgency": self.urgency,
            "title": self.title,
            "summary": self.summary,
            "correlation_id": self.correlation_id,
            "state": self.state,
            "labels": self.labels,
            "lines": self.lines,
            "line_count": self.total_lines,
            "occurrences": self.occurrences,
            "escalation_level": self.escalation_level,
        }

    def text(self) -> str:
        """A plain-text rendering for e-mail bodies, chat messages and ticket descriptions."""
        head = (
            f"[P{self.priority} {self.severity}] {self.title}\n"
            f"{self.summary}\n"
            f"task {self.task_id} ({self.state}), rule {self.rule}, {self.purpose}, "
            f"{self.occurrences} occurrence(s), {self.total_lines} line(s)"
        )
        shown = self.lines[:50]
        lines = [
            "  - " + ", ".join(f"{k}={v}" for k, v in line.items() if k != "dedup_key")
            for line in shown
        ]
        hidden = self.total_lines - len(shown)
        more = [f"  … and {hidden} more"] if hidden > 0 else []
        return "\n".join([head, *lines, *more])


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """What the target answered: its own reference for the notification, when it has one."""

    reference: str | None = None


@runtime_checkable
class Target(Protocol):
    """A place notifications go. Raise TargetUnavailable to be retried, TargetRejected not to."""

    name: str

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Deliver ``notification``; return once the target has accepted it."""
        ...
