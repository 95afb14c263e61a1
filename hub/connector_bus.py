"""The hub's side of the connector SDK's :class:`~connectors.sdk.bus.EventBus` seam.

Events go out through the confirmed publisher (durable once :meth:`HubEventBus.publish`
returns); dead letters go into the dead-letter table. One publisher is shared under a lock:
the publisher is not thread-safe and the webhook ingress calls it from a thread pool.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from canonical import BATCH_CONTENT_TYPE, STRUCTURED_CONTENT_TYPE, Envelope, dump_batch
from connectors.sdk.deadletter import DeadLetter
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import events_exchange
from hub.config import Settings
from hub.deadletter.service import DeadLetterService

__all__ = ["HubEventBus"]


class HubEventBus:
    """Publishes connectors' events to the bus and keeps their dead letters."""

    @classmethod
    def for_settings(cls, settings: Settings, engine: Engine) -> HubEventBus:
        """A bus with a publisher of its own on the hub's bus and exchange (one per thread)."""
        publisher = ConfirmedPublisher(
            settings.resolved_bus_url, exchange=events_exchange(settings.exchange)
        )
        return cls(publisher, engine)

    def __init__(self, publisher: ConfirmedPublisher, engine: Engine) -> None:
        self.publisher = publisher
        self.engine = engine
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

    def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        """Store ``letters`` in their own transaction."""
        if letters:
            with self.engine.begin() as conn:
                self.dead_letter_in(conn, letters)

    @staticmethod
    def dead_letter_in(conn: Connection, letters: Sequence[DeadLetter]) -> None:
        """Store ``letters`` in the caller's transaction."""
        DeadLetterService.add_many(conn, letters)

    def close(self) -> None:
        """Close the publisher's connection."""
        with self._lock:
            self.publisher.close()
