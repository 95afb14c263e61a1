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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.sdk import tracing
from hub.bus import EventConsumer, event_queue, events_exchange
from hub.checkpoints import load_checkpoint, save_checkpoint
from hub.config import Settings
from hub.database import connect
from hub.routing.deadletter_feed import dead_letter_events
from hub.routing.dispatcher import Dispatcher, TickReport
from hub.routing.errors import RulesError
from hub.routing.loader import load_engine, rules_path
from hub.routing.router import Router
from hub.routing.targets import TargetContext
from hub.routing.transactions import write_transaction

__all__ = [
    "ROUTING_QUEUE",
    "RoutingProgress",
    "RoutingWorker",
    "routing_queue",
    "routing_worker",
]

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
"""The routing worker's queue on the default events exchange (``crossdock.events``)."""


def routing_queue(exchange: str) -> str:
    """The routing queue of the hub whose events go through ``exchange``.

    Named after the exchange, so hubs on different exchanges of one broker do not share it
    (each would route, and a ``--once`` run wait for, the other's events); the default
    exchange keeps the name its queue always had, with whatever waits in it.
    """
    return ROUTING_QUEUE if exchange == "crossdock.events" else f"{exchange}.routing"


class RoutingWorker:
    """One routing worker process (or thread)."""

    def __init__(
        self,
        router: Router,
        dispatcher: Dispatcher,
        bus_url: str | None = None,
        *,
        queue: str | None = None,
        exchange: str = "crossdock.events",
        rules_file: Path | None = None,
    ) -> None:
        self.router = router
        self.rules_file = rules_file
        self._rules_stamp = _stamp(rules_file)
        self.dispatcher = dispatcher
        self.bus_url = bus_url
        self.consumer = (
            EventConsumer(
                bus_url,
                event_queue(
                    queue or routing_queue(exchange), ["retail.#"], events_exchange(exchange)
                ),
            )
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
        self.router.route_many(events)
        for event in events:
            self.dead_letter_cursor = max(
                self.dead_letter_cursor, int(event["data"]["dead_letter_id"])
            )
        if events:
            with write_transaction(db) as conn:
                save_checkpoint(conn, _FEED_CHECKPOINT, offset=self.dead_letter_cursor, line=0)
        return len(events)

    def handle(self, events: list[dict[str, Any]]) -> None:
        """Bus handler: route the events of one message together (ack follows when this
        returns). Traced, each producer's span is continued by a ``route`` span."""
        if not tracing.enabled():
            self.router.route_many(events)
            return
        for (traceparent, tracestate), group in _by_trace(events).items():
            with tracing.span(
                "crossdock.route",
                traceparent=traceparent,
                tracestate=tracestate,
                kind="consumer",
                attributes={
                    "cloudevents.event_id": str(group[0].get("id")),
                    "cloudevents.event_type": str(group[0].get("type")),
                    "crossdock.events": len(group),
                },
            ):
                self.router.route_many(group)

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

    def backlog(self) -> int:
        """Bus messages waiting in this worker's queue (0 without a bus)."""
        return self.consumer.depth() if self.consumer is not None else 0

    def finish(
        self,
        progress: Callable[[RoutingProgress], None] | None = None,
        *,
        every: float = 2.0,
    ) -> RoutingProgress:
        """Route every bus message that waits now, then the new dead letters, then one tick.

        ``crossdock run --once`` ends with it, so the events the run published are routed
        before it exits, however many there are (a queue fed meanwhile by another hub does not
        keep it going: it stops once as many messages as waited at the start were routed).
        ``progress`` is called about every ``every`` seconds and at the end.
        """
        self.declare()
        state = RoutingProgress(messages=self.backlog())
        last = time.monotonic()

        def handle(events: list[dict[str, Any]]) -> None:
            nonlocal last
            self.handle(events)
            state.routed += 1
            state.events += len(events)
            if progress is not None and time.monotonic() - last >= every:
                last = time.monotonic()
                progress(state)

        consumer = self.consumer
        while consumer is not None and state.routed < state.messages:
            # a batch message to route takes milliseconds: a second without one means the
            # queue is empty (or another consumer took the rest)
            if not consumer.drain(handle, idle_timeout=1.0, max_seconds=60.0):
                break
        state.dead_letters = self.feed_dead_letters()
        self.dispatcher.tick()
        state.done = True
        if progress is not None:
            progress(state)
        return state


def _by_trace(
    events: list[dict[str, Any]],
) -> dict[tuple[str | None, str | None], list[dict[str, Any]]]:
    """The events of one message by the trace they carry (a batch from one chunk: one)."""
    groups: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
    for event in events:
        key = (event.get(tracing.TRACEPARENT), event.get(tracing.TRACESTATE))
        groups.setdefault(key, []).append(event)
    return groups


@dataclass
class RoutingProgress:
    """How far :meth:`RoutingWorker.finish` got: bus messages (and their events) routed of
    those that waited when it started, and the dead letters fed after them."""

    messages: int
    routed: int = 0
    events: int = 0
    dead_letters: int = 0
    done: bool = False


def routing_worker(
    settings: Settings,
    *,
    rules: Path | None = None,
    bus_url: str | None = None,
    consume: bool = True,
) -> RoutingWorker:
    """The routing worker of a hub configuration: its database, rules and bus.

    Without ``consume`` it reads no queue (dead letters, ticks and deliveries only): the hub
    that routes its own events in process (:mod:`hub.inline_routing`).
    ``RulesError`` when the rules file is invalid (every problem listed).
    """

    if settings.database_url is None or settings.bus_url is None:
        # the embedded database or bus lives there (a queue target publishes to that bus)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = connect(settings.resolved_database_url)
    router = Router(db, load_engine(rules))
    bus_url = bus_url or settings.resolved_bus_url
    return RoutingWorker(
        router,
        Dispatcher(router, context=TargetContext(bus_url=bus_url)),
        bus_url if consume else None,
        exchange=settings.exchange,
        rules_file=rules_path(rules),
    )
