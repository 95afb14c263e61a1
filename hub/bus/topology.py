"""Names on the bus: the events exchange, routing keys, and how a subscriber's queue binds."""

from __future__ import annotations

from collections.abc import Sequence

from kombu import Exchange, Queue, binding

__all__ = ["EVENTS_EXCHANGE", "event_queue", "routing_key"]

#: every canonical event goes through this one topic exchange; consumers bind by type and version
EVENTS_EXCHANGE = Exchange("crossdock.events", type="topic", durable=True, delivery_mode=2)


def routing_key(event_type: str, version: int) -> str:
    """``retail.order.created`` v2 → ``retail.order.created.v2`` (what queues bind to)."""
    return f"{event_type}.v{version}"


def event_queue(name: str, patterns: Sequence[str]) -> Queue:
    """A durable queue bound to the events exchange by each topic pattern.

    ``patterns`` use AMQP topic syntax, e.g. ``retail.inventory.adjusted.*`` or ``retail.#``.
    """
    return Queue(
        name, bindings=[binding(EVENTS_EXCHANGE, routing_key=p) for p in patterns], durable=True
    )
