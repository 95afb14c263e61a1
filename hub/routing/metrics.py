"""Routing task state for Prometheus, read from the routing tables at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from hub.routing.tables import SlaClockRow, TaskRow
from hub.routing.taxonomy import TaskState

__all__ = ["RoutingTaskCollector"]


class RoutingTaskCollector(Collector):
    """Routing tasks not yet resolved, per severity, and those past an SLA (overdue)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Read the routing tables; before routing created them, no samples."""
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
