"""Dead-letter state for Prometheus, read from the database at scrape time.

Depth and oldest age per connector and stage are not counted in memory but read from the kept
tallies and one index seek per connector and stage, so every process reports the same truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from hub.ops.redrive import RedriveStatus, RedriveTaskRow
from hub.ops.views import overview

__all__ = ["DeadLetterCollector"]


class DeadLetterCollector(Collector):
    """Open dead letters per connector and stage, their oldest age, and redrive tasks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Read the current state; a database error yields no samples rather than a failure."""
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
