"""Consuming events: manual ack only after the handler's work is durable.

The handler gets the CloudEvents of one bus message (a batch message yields many) and returns
once its effects are committed; only then is the message acked. If the process dies before
the ack, the broker delivers the message again, so handlers must be idempotent: claim the
event ids with :func:`hub.dedup.claim_events` in the same transaction as the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kombu import Consumer, Message, Queue

from hub.batch import decode_events
from hub.bus.connection import open_connection
from hub.errors import BrokerUnavailable

__all__ = ["EventConsumer", "EventHandler"]

EventHandler = Callable[[list[dict[str, Any]]], None]


class EventConsumer:
    """Consumes one queue with a prefetch window and acks after the handler returns."""

    def __init__(self, url: str, queue: Queue, *, prefetch: int = 32) -> None:
        self.url = url
        self.queue = queue
        self.prefetch = prefetch

    def declare(self) -> None:
        """Create the queue and its bindings (idempotent); do it before producers publish."""
        conn = open_connection(self.url)
        try:
            self.queue(conn.channel()).declare()
        finally:
            conn.release()

    def depth(self) -> int:
        """How many messages wait in the queue now (a passive declare: creates nothing)."""
        conn = open_connection(self.url)
        try:
            _name, count, _consumers = self.queue(conn.channel()).queue_declare(passive=True)
        except OSError as exc:
            raise BrokerUnavailable(f"cannot read the depth of {self.queue.name}: {exc}") from exc
        finally:
            conn.release()
        return int(count)

    def drain(
        self,
        handler: EventHandler,
        *,
        idle_timeout: float = 1.0,
        max_seconds: float = 300.0,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """Handle messages until none arrived for ``idle_timeout`` s (or ``stop()``); count them.

        A handler exception rejects the message back to the queue (redelivered later) and
        propagates: the message is never acked on failure, so nothing is lost.
        """
        handled = 0

        def on_message(message: Message) -> None:
            nonlocal handled
            raw = message.body if isinstance(message.body, bytes) else str(message.body).encode()
            events = list(decode_events(raw, message.content_type))
            try:
                handler(events)
            except BaseException:
                message.requeue()
                raise
            message.ack()
            handled += 1

        try:
            conn = open_connection(self.url)
        except OSError as exc:
            raise BrokerUnavailable(f"cannot consume from {self.url}: {exc}") from exc
        deadline = time.monotonic() + max_seconds
        try:
            channel = conn.channel()
            channel.basic_qos(0, self.prefetch, False)
            # on_message skips kombu's body decoding: the CloudEvents JSON is parsed once, here
            consumer = Consumer(channel, queues=[self.queue], on_message=on_message, no_ack=False)
            consumer.consume()
            while time.monotonic() < deadline and not (stop and stop()):
                try:
                    conn.drain_events(timeout=idle_timeout)
                except TimeoutError:
                    break
        finally:
            conn.release()
        return handled
