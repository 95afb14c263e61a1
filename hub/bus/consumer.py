"""Consuming events: manual ack only after the handler's work is durable.

The handler gets the CloudEvents of one bus message (a batch message yields many) and returns
once its effects are committed; only then is the message acked. If the process dies before
the ack, the broker delivers the message again, so handlers must be idempotent: claim the
event ids with :func:`hub.dedup.claim_events` in the same transaction as the work.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from amqp.exceptions import ChannelError
from kombu import Consumer, Message, Queue

from hub.batch import decode_events
from hub.bus.connection import CONNECTION_ERRORS, open_connection
from hub.errors import BrokerUnavailable, BusError

__all__ = ["EventConsumer", "EventHandler", "queue_depth"]

log = logging.getLogger(__name__)

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
        propagates: the message is never acked on failure, so nothing is lost. A connection
        that breaks under an ack (reset by the broker after a long handler) or while waiting is
        opened again and consuming goes on: the unacked message comes again and the handler's
        event-id dedup absorbs it. A broker that does not answer the reconnect is
        :class:`BrokerUnavailable`.
        """
        handled = 0
        deadline = time.monotonic() + max_seconds
        reconnects = 0
        while True:
            try:
                handled += self._consume(handler, idle_timeout, deadline, stop)
                return handled
            except _ConnectionLost as lost:
                handled += lost.handled
                reconnects += 1
                if reconnects > _MAX_RECONNECTS or time.monotonic() >= deadline:
                    raise BrokerUnavailable(
                        f"lost the connection consuming {self.queue.name}: {lost.reason}"
                    ) from lost.__cause__
                log.warning(
                    "consuming %s: the connection broke (%s); connecting again, an unacked "
                    "message comes again and is dropped as a duplicate",
                    self.queue.name,
                    lost.reason,
                )

    def _consume(
        self,
        handler: EventHandler,
        idle_timeout: float,
        deadline: float,
        stop: Callable[[], bool] | None,
    ) -> int:
        """One connection's worth of :meth:`drain`; :class:`_ConnectionLost` when it breaks."""
        handled = 0
        handler_failed = False  # a handler's own error propagates as it is, never reconnects

        def on_message(message: Message) -> None:
            nonlocal handled, handler_failed
            raw = message.body if isinstance(message.body, bytes) else str(message.body).encode()
            events = list(decode_events(raw, message.content_type))
            try:
                handler(events)
            except BaseException:
                handler_failed = True
                # on a broken connection the broker requeues it by itself
                with contextlib.suppress(*CONNECTION_ERRORS):
                    message.requeue()
                raise
            try:
                message.ack()
            except CONNECTION_ERRORS as exc:
                handled += 1  # its work is durable; only the ack was lost
                raise _ConnectionLost(exc, handled) from exc
            handled += 1

        conn = open_connection(self.url)
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
                except CONNECTION_ERRORS as exc:
                    if handler_failed:
                        raise
                    raise _ConnectionLost(exc, handled) from exc
        except _ConnectionLost as lost:
            lost.handled = handled  # every message handled on this connection, once
            raise
        finally:
            with contextlib.suppress(*CONNECTION_ERRORS):
                conn.release()
        return handled


#: reconnects of one :meth:`EventConsumer.drain` before the broker counts as unavailable
_MAX_RECONNECTS = 5


class _ConnectionLost(BusError):
    """The consuming connection broke after ``handled`` messages were handled on it."""

    def __init__(self, cause: BaseException, handled: int) -> None:
        super().__init__(str(cause))
        self.reason = f"{type(cause).__name__}: {cause}"
        self.handled = handled


def queue_depth(url: str, name: str) -> int | None:
    """Messages waiting in the queue ``name`` now; None when there is no such queue (a passive
    declare: nothing is created, whoever declared it keeps it)."""
    conn = open_connection(url)
    try:
        _name, count, _consumers = Queue(name, channel=conn.channel()).queue_declare(passive=True)
    except ChannelError:  # NOT_FOUND, from RabbitMQ and the embedded transport alike
        return None
    except OSError as exc:
        raise BrokerUnavailable(f"cannot read the depth of {name}: {exc}") from exc
    finally:
        conn.release()
    return int(count)
