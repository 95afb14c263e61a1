"""Prometheus metric families of the hub: counters and histograms the stages increment.

They are process-wide (``prometheus_client``'s default registry): the pipeline stages
increment them where the work happens. State read from the database at scrape time lives with
its owner (:mod:`hub.ops.metrics` for dead letters, :mod:`hub.routing.metrics` for tasks), so
this module, which the retry layer imports, imports nothing of the hub.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "DEAD_LETTERS_WRITTEN",
    "EVENTS_IN",
    "EVENTS_OUT",
    "RETRIES",
    "STAGE_SECONDS",
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
