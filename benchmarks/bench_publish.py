"""Single events: confirmed durable publish against unconfirmed publish, same run, same broker.

The reference is kombu's plain persistent publish with no confirms (the broker may still lose
those); the measured path is :class:`hub.bus.publisher.ConfirmedPublisher`, which pipelines
confirms. Goal: ≥ 0.7 × the reference.
"""

from __future__ import annotations

import time

from kombu import Connection, Producer

from hub.bus.consumer import EventConsumer
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import EVENTS_EXCHANGE, event_queue

BODY = b"x" * 4096


def run(url: str, n: int = 20_000) -> dict[str, float]:
    """msg/s for both paths and their ratio; a bound durable queue so messages are stored."""
    queue = event_queue("bench.publish", ["bench.#"])
    EventConsumer(url, queue).declare()
    try:
        with Connection(url) as conn:
            producer = Producer(conn.channel(), exchange=EVENTS_EXCHANGE)
            started = time.perf_counter()
            for _ in range(n):
                producer.publish(
                    BODY,
                    routing_key="bench.single",
                    content_type="application/cloudevents+json",
                    content_encoding="binary",
                    delivery_mode=2,
                )
            unconfirmed = n / (time.perf_counter() - started)
        with ConfirmedPublisher(url, window=1024) as publisher:
            started = time.perf_counter()
            for _ in range(n):
                publisher.publish(
                    BODY, routing_key="bench.single", content_type="application/cloudevents+json"
                )
            publisher.flush()
            confirmed = n / (time.perf_counter() - started)
    finally:
        with Connection(url) as conn:
            queue(conn.channel()).delete()
    return {
        "unconfirmed_msg_s": unconfirmed,
        "confirmed_msg_s": confirmed,
        "ratio": confirmed / unconfirmed,
    }
