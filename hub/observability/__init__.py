"""What the hub tells its operators' tools: Prometheus metrics and health probes.

Modules: ``metrics`` (the metric families the stages increment). What is read at scrape time
lives with its owner (``hub.ops.metrics``, ``hub.routing.metrics``); the probes and the router
serving ``/metrics``, ``/healthz`` and ``/readyz`` are the app's (``hub.api.probes``).
"""

from hub.observability.metrics import (
    DEAD_LETTERS_WRITTEN,
    EVENTS_IN,
    EVENTS_OUT,
    RETRIES,
    STAGE_SECONDS,
    record_file,
)

__all__ = [
    "DEAD_LETTERS_WRITTEN",
    "EVENTS_IN",
    "EVENTS_OUT",
    "RETRIES",
    "STAGE_SECONDS",
    "record_file",
]
