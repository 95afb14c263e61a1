"""Prometheus metric families of the hub, and a collector reading dead-letter state on scrape.

Counters and histograms are process-wide (``prometheus_client``'s default registry): the
pipeline stages increment them where the work happens. Dead-letter depth and oldest age are
not counted in memory but read from the database at scrape time (from the kept tallies and one
index seek per connector and stage), so every process reports the same truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

__all__ = [
    "DEAD_LETTERS_WRITTEN",
    "EVENTS_IN",
    "EVENTS_OUT",
    "RETRIES",
    "STAGE_SECONDS",
    "DeadLetterCollector",
    "RoutingTaskCollector",
    "record_file",
]

EVENTS_IN = Counter(
    "crossdock_events_in",
    "Records read from a source, per connector and event type",
    ["connector", "type"],
)
EVENTS_OUT = Counter(
    "crossdock_events_out",
    "Events published (confirmed), per connector and event type",
    ["connector", "type"],
)
STAGE_SECONDS = Histogram(
    "crossdock_stage_seconds",
    "Time a stage took for one unit of work",
    ["stage"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
)
RETRIES = Counter(
    "crossdock_retries", "Retries of transient failures, per error class", ["error_class"]
)
DEAD_LETTERS_WRITTEN = Counter(
    "crossdock_dead_letters_written",
    "Dead letters written, per connector and stage",
    ["connector", "stage"],
)


def record_file(
    connector: str, event_type: str, *, records: int, published: int, dead: int, seconds: float
) -> None:
    """Count one processed file: records in, events out, dead letters, and its duration."""
    EVENTS_IN.labels(connector, event_type).inc(records)
    EVENTS_OUT.labels(connector, event_type).inc(published)
    if dead:
        DEAD_LETTERS_WRITTEN.labels(connector, "file").inc(dead)
    STAGE_SECONDS.labels("file").observe(seconds)


class DeadLetterCollector(Collector):
    """Open dead letters per connector and stage, their oldest age, and redrive tasks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Read the current state; a database error yields no samples rather than a failure."""
        from hub.ops.redrive import RedriveStatus, RedriveTaskRow
        from hub.ops.views import overview

        depth = GaugeMetricFamily(
            "crossdock_dead_letters_open", "Open dead letters", labels=["connector", "stage"]
        )
        oldest = GaugeMetricFamily(
            "crossdock_dead_letters_oldest_age_seconds",
            "Age of the oldest open dead letter",
            labels=["connector", "stage"],
        )
        redrives = GaugeMetricFamily(
            "crossdock_redrive_tasks_running", "Bulk redrive tasks running"
        )
        try:
            rows = overview(self.engine, now=datetime.now(UTC))
            with self.engine.connect() as conn:
                running = conn.execute(
                    select(func.count()).where(RedriveTaskRow.status == RedriveStatus.RUNNING.value)
                ).scalar_one()
        except SQLAlchemyError:
            return
        for r in rows:
            depth.add_metric([r.connector, r.stage], r.depth)
            if r.oldest_age_seconds is not None:
                oldest.add_metric([r.connector, r.stage], r.oldest_age_seconds)
        redrives.add_metric([], int(running))
        yield depth
        yield oldest
        yield redrives


class RoutingTaskCollector(Collector):
    """Routing tasks not yet resolved, per severity, and those past an SLA (overdue)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Read the routing tables; before routing created them, no samples."""
        from hub.routing.tables import SlaClockRow, TaskRow
        from hub.routing.taxonomy import TaskState

        unresolved = TaskRow.state != TaskState.RESOLVED.value
        open_tasks = GaugeMetricFamily(
            "crossdock_routing_tasks_open", "Routing tasks not resolved", labels=["severity"]
        )
        overdue = GaugeMetricFamily(
            "crossdock_routing_tasks_overdue", "Unresolved routing tasks past an SLA"
        )
        try:
            with self.engine.connect() as conn:
                per_severity = conn.execute(
                    select(TaskRow.severity, func.count())
                    .where(unresolved)
                    .group_by(TaskRow.severity)
                ).all()
                late = conn.execute(
                    select(func.count(func.distinct(TaskRow.id)))
                    .join(SlaClockRow, SlaClockRow.task_id == TaskRow.id)
                    .where(unresolved, SlaClockRow.breached.is_(True))
                ).scalar_one()
        except SQLAlchemyError:
            return
        for severity, n in per_severity:
            open_tasks.add_metric([severity], int(n))
        overdue.add_metric([], int(late))
        yield open_tasks
        yield overdue
