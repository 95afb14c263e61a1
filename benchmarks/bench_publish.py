"""Single events: confirmed durable publish against unconfirmed publish, same run, same broker.

The reference is kombu's plain persistent publish with no confirms (the broker may still lose
those); the measured path is :class:`hub.bus.publisher.ConfirmedPublisher`, which pipelines
confirms. Goal: ≥ 0.7 × the reference.
"""

from __future__ import annotations

import statistics
import time

from kombu import Connection, Producer, Queue

from hub.bus.consumer import EventConsumer
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import EVENTS_EXCHANGE, event_queue

BODY = b"x" * 4096


def _unconfirmed(url: str, n: int) -> float:
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
        return n / (time.perf_counter() - started)


def _confirmed(url: str, n: int) -> float:
    with ConfirmedPublisher(url, window=1024) as publisher:
        started = time.perf_counter()
        for _ in range(n):
            publisher.publish(
                BODY, routing_key="bench.single", content_type="application/cloudevents+json"
            )
        publisher.flush()
        return n / (time.perf_counter() - started)


def run(url: str, n: int = 20_000, rounds: int = 3) -> dict[str, float]:
    """msg/s for both paths (median of ``rounds``, alternating) and the ratio of the medians.

    The queue is emptied before every timed loop: RabbitMQ slows down as a queue grows (it
    pages 4 KB bodies to disk), so a path run second onto the first one's 80 MB would be
    measured against a fuller broker.
    """
    queue = event_queue("bench.publish", ["bench.#"])
    EventConsumer(url, queue).declare()
    unconfirmed: list[float] = []
    confirmed: list[float] = []
    try:
        for _ in range(rounds):
            _purge(url, queue)
            unconfirmed.append(_unconfirmed(url, n))
            _purge(url, queue)
            confirmed.append(_confirmed(url, n))
    finally:
        with Connection(url) as conn:
            queue(conn.channel()).delete()
    u, c = statistics.median(unconfirmed), statistics.median(confirmed)
    return {"unconfirmed_msg_s": u, "confirmed_msg_s": c, "ratio": c / u}


def _purge(url: str, queue: Queue) -> None:
    with Connection(url) as conn:
        queue(conn.channel()).purge()
