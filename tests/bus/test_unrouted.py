"""Nothing published into nothing: events no queue is bound for are kept, and counted (issue 16).

On RabbitMQ the publisher sends mandatory and puts what the broker returns on the exchange's
``.unrouted`` queue; the embedded bus routes such a message there itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from kombu import Queue

from hub.batch import BATCH_CONTENT_TYPE
from hub.bus.connection import open_connection
from hub.bus.consumer import EventConsumer
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import event_queue, events_exchange, unrouted_queue
from tests.services import require_rabbitmq

_BATCH = BATCH_CONTENT_TYPE


def _batch(*ids: str) -> bytes:
    # CloudEvents: the publisher counts a batch's events by their specversion attribute
    events = [{"specversion": "1.0", "id": i, "type": "t", "data": {}} for i in ids]
    return json.dumps(events).encode()


@pytest.fixture(params=["embedded", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
def bus(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[tuple[str, str]]:
    """(bus URL, exchange name) of the test's own, on the embedded bus and on RabbitMQ."""
    exchange = f"crossdock.test.{uuid.uuid4().hex[:12]}"
    url = f"sqlite://{tmp_path}/bus.db" if request.param == "embedded" else require_rabbitmq()
    yield url, exchange
    if request.param == "rabbitmq":
        conn = open_connection(url)
        try:
            channel = conn.channel()  # type: ignore[no-untyped-call]
            for name in (unrouted_queue(exchange), f"{exchange}.bound"):
                Queue(name)(channel).delete()  # type: ignore[no-untyped-call]
            events_exchange(exchange)(channel).delete()
        finally:
            conn.release()  # type: ignore[no-untyped-call]


def test_events_no_queue_is_bound_for_are_kept_and_counted_not_dropped(
    bus: tuple[str, str],
) -> None:
    url, exchange = bus
    kept = EventConsumer(url, Queue(unrouted_queue(exchange), durable=True))  # type: ignore[no-untyped-call]
    with ConfirmedPublisher(url, exchange=events_exchange(exchange)) as publisher:
        publisher.publish(
            _batch("a", "b"), routing_key="retail.x.v1", content_type=BATCH_CONTENT_TYPE
        )
        publisher.publish(_batch("c"), routing_key="retail.y.v1", content_type=BATCH_CONTENT_TYPE)
        publisher.flush()
        assert publisher.unrouted_events == 3
        # once a queue is bound, its events go there and are not counted as kept
        bound = EventConsumer(
            url, event_queue(f"{exchange}.bound", ["#"], events_exchange(exchange))
        )
        bound.declare()
        publisher.publish(_batch("d"), routing_key="retail.x.v1", content_type=_BATCH)
        publisher.flush()
        assert publisher.unrouted_events == 3
    ids: list[str] = []
    kept.drain(lambda events: ids.extend(e["id"] for e in events), idle_timeout=1.0)
    assert sorted(ids) == ["a", "b", "c"]
    assert bound.depth() == 1
