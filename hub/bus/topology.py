"""Names on the bus: the events exchange, routing keys, and how a subscriber's queue binds."""

from __future__ import annotations

from collections.abc import Sequence

from kombu import Exchange, Queue, binding

__all__ = ["EVENTS_EXCHANGE", "event_queue", "events_exchange", "routing_key", "unrouted_queue"]


def events_exchange(name: str = "crossdock.events") -> Exchange:
    """The topic exchange every canonical event goes through; consumers bind by type and version.

    One per hub: two hubs sharing a broker (staging next to production, or tests next to
    each other) keep apart by naming their own (``exchange`` in crossdock.yaml).
    """
    return Exchange(name, type="topic", durable=True, delivery_mode=2)


#: the default hub's exchange
EVENTS_EXCHANGE = events_exchange()


def routing_key(event_type: str, version: int) -> str:
    """``retail.order.created`` v2 → ``retail.order.created.v2`` (what queues bind to)."""
    return f"{event_type}.v{version}"


def event_queue(name: str, patterns: Sequence[str], exchange: Exchange = EVENTS_EXCHANGE) -> Queue:
    """A durable queue bound to the events exchange by each topic pattern.

    ``patterns`` use AMQP topic syntax, e.g. ``retail.inventory.adjusted.*`` or ``retail.#``.
    """
    return Queue(name, bindings=[binding(exchange, routing_key=p) for p in patterns], durable=True)


def unrouted_queue(exchange: str) -> str:
    """The durable queue that keeps what was published to ``exchange`` while no queue was bound
    for it (``crossdock.events.unrouted``): nothing is published into nothing.

    On RabbitMQ the publisher sends mandatory and puts what the broker returns there; the
    embedded bus routes there itself. A subscriber that binds later starts from its binding;
    what waits in this queue is there for an operator (or a shovel) to take.
    """
    return f"{exchange}.unrouted"
