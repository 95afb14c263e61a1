"""The hub's side of the connector SDK's :class:`~connectors.sdk.bus.EventBus` seam.

Every source the runner reads publishes here: the SDK's connectors and the local inbox alike.
Events go out through the confirmed publisher (durable once :meth:`HubEventBus.publish` or
:meth:`HubEventBus.publish_messages` returns); dead letters go into the dead-letter table
through the dead-letter service. One publisher is shared under a lock: the publisher is not
thread-safe and the webhook ingress calls it from a thread pool.

With a :class:`RoutesPublished` (``crossdock run`` routing, :mod:`hub.inline_routing`), what
the broker confirmed is routed in this process before the publish call returns, so the
runner's checkpoint after it covers routed events only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from canonical import BATCH_CONTENT_TYPE, STRUCTURED_CONTENT_TYPE, Envelope, dump_batch
from connectors.sdk.deadletter import DeadLetter
from hub.bus.confirmed import publish_confirmed
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import events_exchange
from hub.config import Settings
from hub.deadletter.service import DeadLetterService
from hub.retry import RetryPolicy

__all__ = ["HubEventBus", "RoutesPublished"]


class RoutesPublished(Protocol):
    """Routes events once the broker confirmed them (:class:`hub.inline_routing.InlineRouting`)."""

    def route_messages(self, messages: Sequence[tuple[str, bytes]]) -> None:
        """Route the events of confirmed batch messages (routing key, body)."""

    def route_events(self, events: Sequence[Envelope[Any]]) -> None:
        """Route confirmed events."""


class HubEventBus:
    """Publishes connectors' events to the bus and keeps their dead letters."""

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        engine: Engine,
        *,
        publisher: ConfirmedPublisher | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
        routing: RoutesPublished | None = None,
    ) -> HubEventBus:
        """A bus on the hub's bus and exchange, with the hub's retries: on ``publisher`` (the
        hub's own, for the inbox), else on a publisher of its own (one per thread); with
        ``routing``, what it publishes is routed in this process."""
        if publisher is None:
            publisher = ConfirmedPublisher(
                settings.resolved_bus_url, exchange=events_exchange(settings.exchange)
            )
        retry = RetryPolicy(max_attempts=settings.retry_attempts)
        return cls(publisher, engine, retry=retry, on_confirmed=on_confirmed, routing=routing)

    def __init__(
        self,
        publisher: ConfirmedPublisher,
        engine: Engine,
        *,
        retry: RetryPolicy | None = None,
        on_confirmed: Callable[[bytes], None] | None = None,
        routing: RoutesPublished | None = None,
    ) -> None:
        self.publisher = publisher
        self.engine = engine
        #: how batch messages are sent again after a failed publish
        self.retry = retry or RetryPolicy()
        #: called with each batch message's body once the broker confirmed it (``--echo``)
        self.on_confirmed = on_confirmed
        #: routes what was confirmed, in this process (None: the routing queue's consumer does)
        self.routing = routing
        self._lock = threading.Lock()

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        """Publish ``events``; return once all are confirmed.

        A lone event of a routing key goes as one CloudEvent; several go as one CloudEvents
        batch message (one broker write instead of one each; consumers split it by event).
        """
        if not events:
            return
        by_key: dict[str, list[Envelope[Any]]] = {}
        for event in events:
            by_key.setdefault(event.routing_key, []).append(event)
        with self._lock:
            try:
                for key, group in by_key.items():
                    if len(group) == 1:
                        body, ctype, msg_id = (
                            group[0].to_json_bytes(),
                            STRUCTURED_CONTENT_TYPE,
                            group[0].id,
                        )
                    else:
                        body, ctype, msg_id = dump_batch(group), BATCH_CONTENT_TYPE, None
                    self.publisher.publish(
                        body, routing_key=key, content_type=ctype, message_id=msg_id
                    )
                self.publisher.flush()
            except BaseException:
                # a half-confirmed batch is re-sent whole next time (ids are deterministic)
                self.publisher.close()
                raise
        if self.routing is not None:
            self.routing.route_events(events)

    def publish_messages(self, messages: Sequence[tuple[str, bytes]]) -> None:
        """Publish CloudEvents batch messages a source serialised itself; return once all are
        confirmed (sent again whole after a failure, see :mod:`hub.bus.confirmed`)."""
        if not messages:
            return
        with self._lock:
            publish_confirmed(self.publisher, messages, self.retry)
        if self.on_confirmed is not None:
            for _, body in messages:
                self.on_confirmed(body)
        if self.routing is not None:
            self.routing.route_messages(messages)

    def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        """Store ``letters`` in their own transaction."""
        if letters:
            with self.engine.begin() as conn:
                self.dead_letter_in(conn, letters)

    def dead_letter_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store dead letters rendered in a worker process, in their own transaction."""
        if rows:
            with self.engine.begin() as conn:
                DeadLetterService.add_rows(conn, rows)

    @staticmethod
    def dead_letter_in(conn: Connection, letters: Sequence[DeadLetter]) -> None:
        """Store ``letters`` in the caller's transaction."""
        DeadLetterService.add_many(conn, letters)

    def close(self) -> None:
        """Close the publisher's connection."""
        with self._lock:
            self.publisher.close()
