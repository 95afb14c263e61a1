"""The bus: kombu only; the embedded SQLite transport or RabbitMQ, with the same code."""

from hub.bus.connection import open_connection
from hub.bus.consumer import EventConsumer, EventHandler, queue_depth
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import EVENTS_EXCHANGE, event_queue, events_exchange, routing_key

__all__ = [
    "EVENTS_EXCHANGE",
    "ConfirmedPublisher",
    "EventConsumer",
    "EventHandler",
    "event_queue",
    "events_exchange",
    "open_connection",
    "queue_depth",
    "routing_key",
]
