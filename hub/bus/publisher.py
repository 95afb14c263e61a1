"""Confirmed publishing: a publish counts only once the broker has made it durable.

On RabbitMQ (py-amqp through kombu) confirms are pipelined: the channel is put in confirm mode
once, messages go out without waiting, and ``Basic.Ack`` frames (often ``multiple``) are read
when the window of unconfirmed messages fills and at :meth:`ConfirmedPublisher.flush`. One round
trip per message caps a publisher at ~1,000 msg/s on this machine; pipelining does not.

On the embedded SQLite transport a publish returns after its commit, so every publish is
confirmed when it returns and :meth:`flush` has nothing to wait for.

Nothing is published into nothing: on RabbitMQ every publish is ``mandatory``, and a message
the broker returns (no queue bound for its routing key) is put, at :meth:`flush`, on the
durable queue :func:`~hub.bus.topology.unrouted_queue` of the exchange, confirmed like the
rest; the embedded bus routes such a message there itself. :attr:`unrouted_events` counts
them, so a run can say where its events went.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from amqp.exceptions import RecoverableConnectionError
from kombu import Connection, Exchange, Producer, Queue

from hub.batch import event_count
from hub.bus.connection import conn_label, open_connection
from hub.bus.topology import EVENTS_EXCHANGE, unrouted_queue
from hub.errors import BrokerUnavailable, PublishNotConfirmed

__all__ = ["ConfirmedPublisher"]

#: py-amqp's recoverable errors (the broker closed the connection: a restart, a forced close)
#: are not OSErrors; without them a broker restart escaped as a raw exception, never retried
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ConnectionError,
    RecoverableConnectionError,
)


class ConfirmedPublisher:
    """Publishes to the events exchange and knows which publishes the broker confirmed.

    Not thread-safe: one publisher per thread. After a :class:`BrokerUnavailable` or
    :class:`PublishNotConfirmed`, everything published since the last successful
    :meth:`flush` must be published again (ids are deterministic, so consumers drop copies).
    """

    def __init__(
        self,
        url: str,
        *,
        window: int = 256,
        confirm_timeout: float = 30.0,
        exchange: Exchange = EVENTS_EXCHANGE,
    ) -> None:
        self.url = url
        self.exchange = exchange
        self.window = window
        self.confirm_timeout = confirm_timeout
        self._conn: Connection | None = None
        self._producer: Producer | None = None
        self._amqp: Any = None  # the py-amqp channel when the transport is RabbitMQ
        self._next_seq = 1
        # sequence numbers in publish order; the broker acks mostly in order, often `multiple`
        self._unconfirmed: deque[int] = deque()
        self._nacked = 0
        #: messages the broker returned as unroutable, put on the kept queue at flush
        self._returned: list[Any] = []
        #: events published that no queue was bound for, kept in :attr:`unrouted_name`
        self.unrouted_events = 0
        self.unrouted_name = unrouted_queue(exchange.name)

    # -- connection -------------------------------------------------------------------------
    def _connect(self) -> Producer:
        try:
            conn = open_connection(self.url)
            channel = conn.channel()
            producer = Producer(channel, exchange=self.exchange)
            self.exchange(channel).declare()
        except _CONNECTION_ERRORS as exc:
            raise BrokerUnavailable(f"cannot connect to {conn_label(self.url)}: {exc}") from exc
        self._conn, self._producer = conn, producer
        if conn.transport.driver_type == "amqp":
            self._amqp = channel
            try:
                Queue(self.unrouted_name, durable=True)(channel).declare()
            except _CONNECTION_ERRORS as exc:
                raise BrokerUnavailable(f"cannot connect to {conn_label(self.url)}: {exc}") from exc
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
        self._next_seq, self._unconfirmed, self._nacked = 1, deque(), 0
        self._returned = []
        return producer

    def close(self) -> None:
        """Close the connection; unconfirmed publishes are abandoned (see class doc)."""
        if self._conn is not None:
            with contextlib.suppress(*_CONNECTION_ERRORS):
                self._conn.release()
        self._conn = self._producer = self._amqp = None

    def __enter__(self) -> ConfirmedPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- confirms ---------------------------------------------------------------------------
    def _on_ack(self, tag: int, multiple: bool) -> None:
        pending = self._unconfirmed
        if multiple:
            while pending and pending[0] <= tag:
                pending.popleft()
        elif pending and pending[0] == tag:
            pending.popleft()
        elif tag in pending:  # out of order: rare, so a linear removal is fine
            pending.remove(tag)

    def _on_return(self, _exc: object, _exchange: str, _routing_key: str, message: Any) -> None:
        # RabbitMQ sends the return before the ack of the same publish: by the time every
        # publish is confirmed, every return has arrived
        self._returned.append(message)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        before = len(self._unconfirmed)
        self._on_ack(tag, multiple)
        self._nacked += before - len(self._unconfirmed)

    def _read_confirms(self, until: int, deadline: float) -> None:
        """Read acks until at most ``until`` publishes are unconfirmed."""
        assert self._conn is not None
        raw = self._conn.connection
        while len(self._unconfirmed) > until:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PublishNotConfirmed(
                    f"{len(self._unconfirmed)} publishes unconfirmed after "
                    f"{self.confirm_timeout:.0f}s on {conn_label(self.url)}"
                )
            try:
                raw.drain_events(timeout=min(left, 1.0))
            except TimeoutError:
                continue
            except _CONNECTION_ERRORS as exc:
                self.close()
                raise BrokerUnavailable(f"lost {conn_label(self.url)}: {exc}") from exc

    # -- publishing -------------------------------------------------------------------------
    def publish(
        self,
        body: bytes,
        *,
        routing_key: str,
        content_type: str,
        message_id: str | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> None:
        """Send one persistent message; it is confirmed by the next successful :meth:`flush`."""
        producer = self._producer or self._connect()
        try:
            if self._amqp is not None:
                # kombu's channel API, without Producer.publish's per-call argument handling and
                # entity bookkeeping (the exchange was declared on connect): ~15 % of a 4 KB
                # publish, which is the margin of the single-event goal
                amqp = self._amqp
                properties: dict[str, Any] = {"delivery_mode": 2}
                if message_id is not None:
                    properties["message_id"] = message_id
                amqp.basic_publish(
                    amqp.prepare_message(
                        body, None, content_type, "binary", dict(headers or {}), properties
                    ),
                    exchange=self.exchange.name,
                    routing_key=routing_key,
                    mandatory=True,  # returned when no queue is bound: kept at flush
                )
            else:
                channel = producer.channel
                kept_before = getattr(channel, "unrouted", 0)
                producer.publish(
                    body,
                    routing_key=routing_key,
                    content_type=content_type,
                    content_encoding="binary",
                    delivery_mode=2,
                    message_id=message_id,
                    headers=dict(headers or {}),
                    retry=False,
                )
                if getattr(channel, "unrouted", 0) != kept_before:  # the embedded bus kept it
                    self.unrouted_events += event_count(body, content_type)
        except _CONNECTION_ERRORS as exc:
            self.close()
            raise BrokerUnavailable(f"publish to {conn_label(self.url)} failed: {exc}") from exc
        if self._amqp is not None:
            self._unconfirmed.append(self._next_seq)
            self._next_seq += 1
            if len(self._unconfirmed) >= self.window:
                self._read_confirms(self.window // 2, time.monotonic() + self.confirm_timeout)

    def _keep_returned(self) -> None:
        """Put the messages the broker returned on the kept queue, and wait for the confirms."""
        returned, self._returned = self._returned, []
        amqp = self._amqp
        try:
            for message in returned:
                amqp.basic_publish(message, exchange="", routing_key=self.unrouted_name)
                self._unconfirmed.append(self._next_seq)
                self._next_seq += 1
        except _CONNECTION_ERRORS as exc:
            self.close()
            raise BrokerUnavailable(f"publish to {conn_label(self.url)} failed: {exc}") from exc
        self._read_confirms(0, time.monotonic() + self.confirm_timeout)
        for message in returned:
            body = message.body if isinstance(message.body, bytes) else bytes(message.body)
            self.unrouted_events += event_count(body, message.properties.get("content_type"))

    def flush(self) -> None:
        """Wait until every publish so far is confirmed; raise if any was nacked or timed out."""
        if self._amqp is not None:
            self._read_confirms(0, time.monotonic() + self.confirm_timeout)
            if self._returned:
                self._keep_returned()
        if self._nacked:
            nacked, self._nacked = self._nacked, 0
            raise PublishNotConfirmed(f"the broker nacked {nacked} publishes")
