"""ConfirmedPublisher on a real RabbitMQ: what a consumer receives is what was published."""

from __future__ import annotations

import gc
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from amqp.connection import Connection as AmqpConnection
from amqp.exceptions import ConnectionForced
from kombu import Connection, Exchange, Queue

from hub.batch import BATCH_CONTENT_TYPE
from hub.bus.connection import open_connection
from hub.bus.consumer import EventConsumer
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import event_queue, events_exchange
from hub.errors import BrokerUnavailable
from tests.services import require_rabbitmq

pytestmark = pytest.mark.rabbitmq


@dataclass
class Broker:
    """An exchange and a queue bound to all of it, of one test's own on the real broker."""

    url: str
    exchange: Exchange
    queue: Queue
    conn: Connection

    def received(self, count: int) -> list[Any]:
        """The next ``count`` messages of the queue, acked."""
        simple = self.conn.SimpleQueue(self.queue(self.conn.channel()))
        try:
            messages = [simple.get(timeout=5) for _ in range(count)]
            for message in messages:
                message.ack()
            return messages
        finally:
            simple.close()


@pytest.fixture
def broker() -> Iterator[Broker]:
    url = require_rabbitmq()
    # names of this test's own, so nothing else on the broker interferes
    tag = uuid.uuid4().hex[:12]
    exchange = events_exchange(f"crossdock.test.{tag}")
    queue = event_queue(f"crossdock.test.{tag}", ["#"], exchange=exchange)
    conn: Connection = open_connection(url)
    try:
        queue(conn.channel()).declare()
        yield Broker(url, exchange, queue, conn)
    finally:
        channel = conn.channel()
        queue(channel).delete()
        exchange(channel).delete()
        conn.release()


def test_confirmed_messages_arrive_persistent_with_their_properties_in_order(
    broker: Broker,
) -> None:
    with ConfirmedPublisher(broker.url, window=4, exchange=broker.exchange) as publisher:
        # 10 publishes through a window of 4: acks are read while publishing, not only at
        # the flush
        for n in range(10):
            publisher.publish(
                b'{"n":%d}' % n,
                routing_key="retail.inventory.adjusted.v1",
                content_type="application/cloudevents+json",
                message_id=f"id-{n}",
                headers={"x-crossdock-source": "test"},
            )
        publisher.flush()
    received = broker.received(10)

    assert [m.body for m in received] == [b'{"n":%d}' % n for n in range(10)]
    first = received[0]
    assert first.content_type == "application/cloudevents+json"
    assert first.properties["delivery_mode"] == 2  # persistent: the broker writes it to disk
    assert first.properties["message_id"] == "id-0"
    assert first.headers == {"x-crossdock-source": "test"}
    assert [m.properties["message_id"] for m in received] == [f"id-{n}" for n in range(10)]


def test_a_publish_without_message_id_or_headers_carries_none(broker: Broker) -> None:
    with ConfirmedPublisher(broker.url, exchange=broker.exchange) as publisher:
        publisher.publish(b"[]", routing_key="x", content_type="application/json")
        publisher.flush()
    [message] = broker.received(1)
    assert message.body == b"[]"
    assert "message_id" not in message.properties
    assert message.headers == {}


def test_a_connection_the_broker_closed_is_broker_unavailable_and_reconnects(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConfirmedPublisher(broker.url, exchange=broker.exchange) as publisher:
        publisher.publish(b"[1]", routing_key="x", content_type="application/json")
        publisher.flush()
        channel = publisher._amqp

        def forced_close(*_args: object, **_kwargs: object) -> None:
            # what py-amqp raises when the broker closes the connection (a restart, an admin)
            raise ConnectionForced("CONNECTION_FORCED - broker forced connection closure")

        monkeypatch.setattr(channel, "basic_publish", forced_close)
        with pytest.raises(BrokerUnavailable, match="CONNECTION_FORCED"):
            publisher.publish(b"[2]", routing_key="x", content_type="application/json")
        # the next publish opens a new connection
        publisher.publish(b"[3]", routing_key="x", content_type="application/json")
        publisher.flush()
        assert publisher._amqp is not channel
    assert [m.body for m in broker.received(2)] == [b"[1]", b"[3]"]


def test_an_ack_on_a_connection_reset_under_it_reconnects_and_the_message_comes_again(
    broker: Broker,
) -> None:
    """The crash-recovery flake: a long handler, then the ack met a reset connection."""
    with ConfirmedPublisher(broker.url, exchange=broker.exchange) as publisher:
        for n in range(3):
            body = json.dumps([{"id": f"e{n}", "type": "t", "data": {}}]).encode()
            publisher.publish(body, routing_key="x", content_type=BATCH_CONTENT_TYPE)
        publisher.flush()
    seen: list[str] = []
    reset_once: list[bool] = []

    def handler(events: list[dict[str, Any]]) -> None:
        seen.extend(e["id"] for e in events)
        if not reset_once:
            reset_once.append(True)
            # the connection dies under the handler, as a broker's reset does: the ack that
            # follows meets a dead socket (a real one, closed on the real broker)
            consumer_sockets = [
                c for c in gc.get_objects() if isinstance(c, AmqpConnection) and c.connected
            ]
            for amqp_conn in consumer_sockets:
                if amqp_conn.channels and amqp_conn.sock is not None:
                    for channel in amqp_conn.channels.values():
                        if getattr(channel, "callbacks", None):  # the consuming one
                            amqp_conn.sock.shutdown(socket.SHUT_RDWR)

    consumer = EventConsumer(broker.url, broker.queue)
    handled = consumer.drain(handler, idle_timeout=1.0, max_seconds=30)
    assert handled >= 3
    assert sorted(set(seen)) == ["e0", "e1", "e2"]
    assert seen.count("e0") == 2  # redelivered once after the lost ack; dedup drops the copy
    assert consumer.depth() == 0
