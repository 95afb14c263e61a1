"""Embedded bus: durable publish and consume of 1 KB messages on the SQLite transport.

Measured on a temporary file with kombu's own Producer and Consumer (manual ack), and the same
steps on kombu's in-memory transport (``memory://``, not durable) as the reference of the same
run. Goal: combined publish + consume ≥ 5,000 msg/s.

- publish: one ``producer.publish()`` per message, each committed before it returns;
- consume: ``Consumer(no_ack=False)``, prefetch 100, ``message.ack()`` per message, until
  every ack is in the file (the connection is closed inside the timing);
- combined: n messages published then consumed, n / (publish time + consume time);
- batch_publish: the same publishes inside ``with producer.batch():`` (one commit per 1,000);
- concurrent: a publisher process and this consumer process on one file at the same time,
  n / time until the consumer has acked the last message (context, no memory:// twin).

Run: ``python -m benchmarks.bench_sqlite_transport [n]``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kombu import Connection, Consumer, Producer, Queue
from kombu.message import Message

from hub.bus.sqlite_transport import register

BODY = b"x" * 1024
PREFETCH = 100


def _publish(url: str, queue: str, n: int, batch: bool = False) -> float:
    """Seconds to publish ``n`` messages to ``queue``."""
    with Connection(url) as conn:
        producer = Producer(conn.channel())
        Queue(queue)(producer.channel).declare()
        started = time.perf_counter()
        if batch:
            with producer.batch(max_size=1000):
                for _ in range(n):
                    producer.publish(
                        BODY,
                        routing_key=queue,
                        content_type="application/octet-stream",
                        content_encoding="binary",
                    )
        else:
            for _ in range(n):
                producer.publish(
                    BODY,
                    routing_key=queue,
                    content_type="application/octet-stream",
                    content_encoding="binary",
                )
        return time.perf_counter() - started


def _consume(url: str, queue: str, n: int) -> float:
    """Seconds to consume and ack ``n`` messages from ``queue``, acks flushed."""
    received = 0

    def on_message(body: bytes, message: Message) -> None:
        nonlocal received
        received += 1
        message.ack()

    started = time.perf_counter()
    with Connection(url) as conn:
        channel = conn.channel()
        channel.basic_qos(0, PREFETCH, False)
        with Consumer(channel, [Queue(queue)], no_ack=False, callbacks=[on_message]):
            while received < n:
                conn.drain_events(timeout=10)
    return time.perf_counter() - started


_PUBLISHER = """
import sys
from hub.bus.sqlite_transport import register
from benchmarks.bench_sqlite_transport import _publish
register()
sys.stdin.readline()
_publish(sys.argv[1], sys.argv[2], int(sys.argv[3]))
"""


def _concurrent(url: str, queue: str, n: int) -> float:
    """Seconds for a publisher process and a consumer here to move ``n`` messages."""
    with Connection(url) as conn:
        Queue(queue)(conn.channel()).declare()
    root = Path(__file__).resolve().parent.parent
    with subprocess.Popen(
        [sys.executable, "-c", _PUBLISHER, url, queue, str(n)],
        cwd=root,
        stdin=subprocess.PIPE,
        text=True,
    ) as publisher:
        assert publisher.stdin is not None
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        seconds = _consume(url, queue, n)
        publisher.stdin.close()
        if publisher.wait() != 0:
            raise RuntimeError("publisher process failed")
    return seconds


def _measure(url: str, queue: str, n: int) -> tuple[float, float, float]:
    publish = _publish(url, queue, n)
    consume = _consume(url, queue, n)
    return n / publish, n / consume, n / (publish + consume)


def run(n: int = 20000) -> dict[str, float]:
    """msg/s for the SQLite transport and for ``memory://``, and their ratios."""
    register()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bus.db'}"
        publish, consume, combined = _measure(url, "bench.sqlite", n)
        batch_publish = n / _publish(url, "bench.batch", n, batch=True)
        concurrent = n / _concurrent(url, "bench.concurrent", n)
    mem_publish, mem_consume, mem_combined = _measure(
        "memory://", f"bench.memory.{time.time_ns()}", n
    )
    return {
        "n": float(n),
        "publish_msg_s": publish,
        "consume_msg_s": consume,
        "combined_msg_s": combined,
        "batch_publish_msg_s": batch_publish,
        "concurrent_msg_s": concurrent,
        "memory_publish_msg_s": mem_publish,
        "memory_consume_msg_s": mem_consume,
        "memory_combined_msg_s": mem_combined,
        "publish_ratio": publish / mem_publish,
        "consume_ratio": consume / mem_consume,
        "combined_ratio": combined / mem_combined,
    }


def main() -> None:
    """Print the figures of one run."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    figures = run(n)
    print(f"{n:,} messages of {len(BODY)} bytes")
    for kind in ("publish", "consume", "combined"):
        sqlite_rate = figures[f"{kind}_msg_s"]
        memory_rate = figures[f"memory_{kind}_msg_s"]
        print(
            f"{kind:>9}: sqlite {sqlite_rate:>9,.0f} msg/s   memory:// {memory_rate:>9,.0f} msg/s"
            f"   ratio {figures[f'{kind}_ratio']:.2f}"
        )
    print(f"  batched publish (Producer.batch): {figures['batch_publish_msg_s']:,.0f} msg/s")
    print(f"  publisher process ∥ consumer process: {figures['concurrent_msg_s']:,.0f} msg/s")
    verdict = "met" if figures["combined_msg_s"] >= 5000 else "NOT met"
    print(f"goal combined ≥ 5,000 msg/s: {verdict}")


if __name__ == "__main__":
    main()
