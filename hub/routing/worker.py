"""The routing worker: bus events and dead letters in, ticks between batches.

``crossdock routing run`` drives it. Events come from a durable queue bound to ``retail.#``;
dead letters are polled from the database; a tick runs after each batch and at least every
``tick_every`` seconds. When the rules file changes it is reloaded between batches (a broken
file is logged and the current rules stay). Run several workers against one RabbitMQ and one
PostgreSQL to scale out: dedup, grouping, claims and deliveries are settled in the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub.bus import EventConsumer, event_queue, events_exchange
from hub.checkpoints import load_checkpoint, save_checkpoint
from hub.config import Settings
from hub.database import connect
from hub.routing.deadletter_feed import dead_letter_events
from hub.routing.dispatcher import Dispatcher, TickReport
from hub.routing.errors import RulesError
from hub.routing.loader import load_engine, rules_path
from hub.routing.router import Router, create_tables
from hub.routing.targets import TargetContext
from hub.routing.transactions import write_transaction

__all__ = ["ROUTING_QUEUE", "RoutingWorker", "routing_worker"]

log = logging.getLogger(__name__)

_FEED_CHECKPOINT = "routing:dead-letter-feed"


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """(mtime_ns, size) of ``path``: a change means the rules should be read again."""
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


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
        exchange: str = "crossdock.events",
        rules_file: Path | None = None,
    ) -> None:
        self.router = router
        self.rules_file = rules_file
        self._rules_stamp = _stamp(rules_file)
        self.dispatcher = dispatcher
        self.bus_url = bus_url
        self.consumer = (
            EventConsumer(bus_url, event_queue(queue, ["retail.#"], events_exchange(exchange)))
            if bus_url
            else None
        )
        self.dead_letter_cursor = 0

    def reload_if_changed(self) -> bool:
        """Reload the rules when their file changed; a broken file is logged, old rules stay."""
        stamp = _stamp(self.rules_file)
        if stamp == self._rules_stamp:
            return False
        self._rules_stamp = stamp
        try:
            self.router.reload(self.rules_file)
        except RulesError as exc:
            log.error(
                "routing: %s not reloaded, keeping the current rules: %s", self.rules_file, exc
            )
            return False
        log.info("routing: rules reloaded from %s", self.rules_file)
        return True

    def declare(self) -> None:
        """Create the worker's queue and bindings (before producers publish)."""
        if self.consumer is not None:
            self.consumer.declare()

    def feed_dead_letters(self) -> int:
        """Route the dead letters recorded since the last call; how many were new.

        The position is kept as a checkpoint, so a restarted worker does not read every old
        letter again (one routed twice would be dropped as a duplicate anyway).
        """
        db = self.router.db
        if self.dead_letter_cursor == 0:
            with db.connect() as conn:
                saved = load_checkpoint(conn, _FEED_CHECKPOINT)
            self.dead_letter_cursor = saved.offset if saved is not None else 0
        events = dead_letter_events(db, after_id=self.dead_letter_cursor)
        for event in events:
            self.router.route(event)
            self.dead_letter_cursor = max(
                self.dead_letter_cursor, int(event["data"]["dead_letter_id"])
            )
        if events:
            with write_transaction(db) as conn:
                save_checkpoint(conn, _FEED_CHECKPOINT, offset=self.dead_letter_cursor, line=0)
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
            self.reload_if_changed()
            self.feed_dead_letters()
            report = self.dispatcher.tick()
            if once or (stop is not None and stop()):
                return report
            if consumer is None:
                time.sleep(tick_every)


def routing_worker(
    settings: Settings, *, rules: Path | None = None, bus_url: str | None = None
) -> RoutingWorker:
    """The routing worker of a hub configuration: its database, rules and bus.

    ``RulesError`` when the rules file is invalid (every problem listed).
    """

    if settings.database_url is None or settings.bus_url is None:
        # the embedded database or bus lives there (a queue target publishes to that bus)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = connect(settings.resolved_database_url)
    create_tables(db)
    router = Router(db, load_engine(rules))
    bus_url = bus_url or settings.resolved_bus_url
    return RoutingWorker(
        router,
        Dispatcher(router, context=TargetContext(bus_url=bus_url)),
        bus_url,
        exchange=settings.exchange,
        rules_file=rules_path(rules),
    )
