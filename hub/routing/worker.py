"""The routing worker: bus events and dead letters in, ticks between batches.

``crossdock routing run`` drives it. Events come from a durable queue bound to ``retail.#``;
dead letters are polled from the database; a tick runs after each batch and at least every
``tick_every`` seconds. Run several workers against one RabbitMQ and one PostgreSQL to scale out:
dedup, grouping, claims and deliveries are settled in the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hub.bus import EventConsumer, event_queue
from hub.routing.deadletter_feed import dead_letter_events
from hub.routing.dispatcher import Dispatcher, TickReport
from hub.routing.router import Router

__all__ = ["ROUTING_QUEUE", "RoutingWorker"]

ROUTING_QUEUE = "crossdock.routing"
"""The routing worker's queue on the events exchange."""


class RoutingWorker:
    """One routing worker process (or thread)."""

    def __init__(
        self,
        router: Router,
        dispatcher: Dispatcher,
        bus_url: str | None = None,
        *,
        queue: str = ROUTING_QUEUE,
    ) -> None:
        self.router = router
        self.dispatcher = dispatcher
        self.bus_url = bus_url
        self.consumer = (
            EventConsumer(bus_url, event_queue(queue, ["retail.#"])) if bus_url else None
        )
        self.dead_letter_cursor = 0

    def declare(self) -> None:
        """Create the worker's queue and bindings (before producers publish)."""
        if self.consumer is not None:
            self.consumer.declare()

    def feed_dead_letters(self) -> int:
        """Route the dead letters recorded since the last call; how many were new."""
        events = dead_letter_events(self.router.db, after_id=self.dead_letter_cursor)
        for event in events:
            self.router.route(event)
            self.dead_letter_cursor = max(
                self.dead_letter_cursor, int(event["data"]["dead_letter_id"])
            )
        return len(events)

    def handle(self, events: list[dict[str, Any]]) -> None:
        """Bus handler: route each event of one message (ack follows when this returns)."""
        for event in events:
            self.router.route(event)

    def run(
        self,
        *,
        tick_every: float = 5.0,
        stop: Callable[[], bool] | None = None,
        once: bool = False,
    ) -> TickReport:
        """Consume, feed dead letters and tick until ``stop()`` (or one round with ``once``)."""
        consumer = self.consumer
        self.declare()
        report = TickReport()
        while True:
            if consumer is not None:
                consumer.drain(self.handle, idle_timeout=tick_every, max_seconds=tick_every * 4)
            self.feed_dead_letters()
            report = self.dispatcher.tick()
            if once or (stop is not None and stop()):
                return report
            if consumer is None:
                time.sleep(tick_every)
