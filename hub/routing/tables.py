"""The routing tables: tasks and their lines, SLA clocks, deliveries, deferred checks, audit.

Uniqueness does the concurrency work, so several workers can route at once against one
database: an unresolved task is unique by ``open_key`` (its group key; set to NULL when the task
is resolved, so a later exception opens a new task), a line by (task, dedup key), a delivery by
(task, target, purpose, step), a deferred check by (rule, key).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from hub.declarative import Base


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; a naive value is refused, never guessed."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the hub keeps time in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


__all__ = [
    "AuditRow",
    "DeferredCheckRow",
    "DeliveryRow",
    "SlaClockRow",
    "TaskLineRow",
    "TaskRow",
    "UtcDateTime",
]


class TaskRow(Base):
    """One routed exception (or a group of them): the unit people acknowledge and resolve."""

    __tablename__ = "routing_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_key: Mapped[str] = mapped_column(String(64), index=True)
    #: the group key while unresolved, NULL after: at most one unresolved task per group
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    rule_version: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[int] = mapped_column(Integer)
    value_at_risk: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    notify_after: Mapped[datetime] = mapped_column(UtcDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    #: lines joined since the last notice, and how often the rule wants to tell about them
    changed_since_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    group_interval_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_notice_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updates_sent: Mapped[int] = mapped_column(Integer, default=0)
    #: targets, SLA definitions and escalation policy as the rule said when the task opened:
    #: a rules reload never changes what an open task promised
    targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    sla: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    escalation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    #: the W3C traceparent of the routing span that opened the task: its deliveries continue
    #: that trace (None when tracing was off)
    traceparent: Mapped[str | None] = mapped_column(String(55), nullable=True)

    __table_args__ = (Index("ix_routing_tasks_state_notify", "state", "notify_after"),)


class TaskLineRow(Base):
    """One exception inside a task (forty SKUs short → forty lines, one task)."""

    __tablename__ = "routing_task_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("routing_tasks.id"))
    dedup_key: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(128))
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    value_at_risk: Mapped[str] = mapped_column(String(32), default="0")
    """This exception's value at risk (Decimal as text); the task's is the sum over lines."""

    __table_args__ = (UniqueConstraint("task_id", "dedup_key", name="uq_routing_line"),)


class SlaClockRow(Base):
    """One SLA clock of one task: elapsed time excluding pauses, and what was notified."""

    __tablename__ = "routing_sla_clocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("routing_tasks.id"))
    name: Mapped[str] = mapped_column(String(100))
    within_s: Mapped[float] = mapped_column(Float)
    #: pending (not started), running, paused, stopped
    status: Mapped[str] = mapped_column(String(16))
    elapsed_s: Mapped[float] = mapped_column(Float, default=0.0)
    running_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    notified_pct: Mapped[int] = mapped_column(Integer, default=0)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("task_id", "name", name="uq_routing_sla"),)


class DeliveryRow(Base):
    """One notification to one target (an outbox row): pending → delivered or dead."""

    __tablename__ = "routing_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("routing_tasks.id"))
    target: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(32))
    step: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: when a worker took it; a "sending" row claimed long ago belongs to a dead worker
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("task_id", "target", "purpose", "step", name="uq_routing_delivery"),
    )


class DeferredCheckRow(Base):
    """A rule to test again at a later time (a pickup order at its promised-by time)."""

    __tablename__ = "routing_deferred_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: pending, fired, cancelled
    status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (UniqueConstraint("rule_id", "key", name="uq_routing_deferred"),)


class AuditRow(Base):
    """One routing decision or action, as it happened; never updated."""

    __tablename__ = "routing_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    rule: Mapped[str | None] = mapped_column(String(120), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    input_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor: Mapped[str] = mapped_column(String(128), default="router")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
