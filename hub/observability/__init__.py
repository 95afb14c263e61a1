"""What the hub tells its operators' tools: Prometheus metrics and health probes.

Modules: ``metrics`` (the metric families and the dead-letter collector), ``health``
(``/healthz``, ``/readyz``), ``routes`` (the router serving them and ``/metrics``).
"""

from hub.observability.metrics import (
    DEAD_LETTERS_WRITTEN,
    EVENTS_IN,
    EVENTS_OUT,
    RETRIES,
    STAGE_SECONDS,
    DeadLetterCollector,
    RoutingTaskCollector,
    record_file,
)

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
