"""Behaviour of the durable SQLite kombu transport (hub.bus.sqlite_transport)."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue
from kombu.message import Message

from hub.bus.sqlite_options import SqliteBusOptions, database_path
from hub.bus.sqlite_transport import AmqpTopicExchange, Transport

# Generous bounds: they only stop a broken test from hanging, they assert nothing about speed.
DEADLINE = 60.0

CHILD_PRELUDE = """
import json, select, socket, sys, time
from kombu import Connection, Consumer, Exchange, Producer, Queue
from hub.bus.sqlite_transport import register
register()
"""


def db_path(url: str) -> str:
    return database_path(url)[0]


def row_count(url: str, where: str = "1") -> int:
    with sqlite3.connect(db_path(url)) as db:
        return int(db.execute(f"SELECT count(*) FROM bus_message WHERE {where}").fetchone()[0])


def drain_until(conn: Connection, done: Callable[[], bool]) -> None:
    """Drain events until ``done()``; fail instead of hanging if it never happens."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        if time.monotonic() > deadline:
            pytest.fail("messages did not arrive")
        with contextlib.suppress(TimeoutError):
            conn.drain_events(timeout=0.5)


def drain_idle(conn: Connection, rounds: int = 3) -> None:
    """Drain until a few polls in a row deliver nothing."""
    idle = 0
    while idle < rounds:
        try:
            conn.drain_events(timeout=0.2)
            idle = 0
        except TimeoutError:
            idle += 1


def publish_numbers(url: str, queue: str, count: int, start: int = 0) -> None:
    with Connection(url) as conn:
        producer = Producer(conn.channel())
        Queue(queue)(producer.channel).declare()
        for n in range(start, start + count):
            producer.publish({"n": n}, routing_key=queue)


class Collector:
    """Consumer callback that keeps messages and acks them unless told not to."""

    def __init__(self, ack: bool = True) -> None:
        self.ack = ack
        self.messages: list[Message] = []

    @property
    def numbers(self) -> list[int]:
        return [m.payload["n"] for m in self.messages]

    def __call__(self, body: Any, message: Message) -> None:
        self.messages.append(message)
        if self.ack:
            message.ack()


@pytest.fixture
def child_env(tmp_path: Path) -> Iterator[dict[str, Any]]:
    procs: list[subprocess.Popen[str]] = []
    yield {"procs": procs}
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()


def spawn(child_env: dict[str, Any], script: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD_PRELUDE + script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    child_env["procs"].append(proc)
    return proc


# -- basics -------------------------------------------------------------------------------


def test_round_trip_with_manual_ack_empties_the_queue(bus_url: str) -> None:
    exchange = Exchange("orders", "direct")
    queue = Queue("orders.new", exchange, routing_key="new")
    got = Collector()
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel(), exchange=exchange)
        with Consumer(conn.channel(), [queue], no_ack=False, callbacks=[got]):
            for n in range(10):
                producer.publish({"n": n}, routing_key="new")
            drain_until(conn, lambda: len(got.messages) == 10)
    assert got.numbers == list(range(10))
    assert row_count(bus_url) == 0


def test_message_published_before_a_reopen_is_delivered_after_it(bus_url: str) -> None:
    publish_numbers(bus_url, "durable", 5)
    got = Collector()
    with Connection(bus_url) as conn, Consumer(conn, [Queue("durable")], callbacks=[got]):
        drain_until(conn, lambda: len(got.messages) == 5)
    assert got.numbers == [0, 1, 2, 3, 4]


def test_publish_is_committed_when_publish_returns(bus_url: str) -> None:
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel())
        producer.publish({"n": 1}, routing_key="q")
        # A separate sqlite connection sees the row at once: the publish was committed.
        assert row_count(bus_url, "queue = 'q'") == 1


def test_body_and_headers_survive_the_round_trip(bus_url: str) -> None:
    got = Collector()
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel())
        Queue("raw")(producer.channel).declare()
        producer.publish(
            b"\x00\xffbinary",
            routing_key="raw",
            content_type="application/octet-stream",
            content_encoding="binary",
            headers={"x-id": "e-1"},
        )
        with Consumer(conn.channel(), [Queue("raw")], callbacks=[got]):
            drain_until(conn, lambda: len(got.messages) == 1)
    message = got.messages[0]
    assert message.body == b"\x00\xffbinary"
    assert message.headers["x-id"] == "e-1"
    assert message.content_type == "application/octet-stream"
    assert not message.delivery_info.get("redelivered")


# -- routing ------------------------------------------------------------------------------


def test_topic_binding_declared_by_one_connection_routes_publishes_of_another(
    bus_url: str,
) -> None:
    topic = Exchange("events", "topic")
    created = Queue("orders.all", topic, routing_key="order.#")
    with Connection(bus_url) as consumer_conn:
        created(consumer_conn.channel()).declare()
        got = Collector()
        with Consumer(consumer_conn, [created], callbacks=[got]):
            with Connection(bus_url) as publisher_conn:
                # This connection never declares a queue or binding.
                producer = Producer(publisher_conn.channel(), exchange=topic)
                for key in ("order", "order.created", "order.line.added", "stock.moved"):
                    producer.publish({"key": key}, routing_key=key)
            drain_until(consumer_conn, lambda: len(got.messages) == 3)
            drain_idle(consumer_conn)
    assert sorted(m.payload["key"] for m in got.messages) == [
        "order",
        "order.created",
        "order.line.added",
    ]


def test_publisher_that_never_declared_the_exchange_routes_by_stored_type(bus_url: str) -> None:
    topic = Exchange("events", "topic")
    queue = Queue("stock", topic, routing_key="*.moved")
    with Connection(bus_url) as conn:
        queue(conn.channel()).declare()
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel())
        producer.publish({"n": 1}, exchange="events", routing_key="stock.moved")
        producer.publish({"n": 2}, exchange="events", routing_key="stock.count.moved")
    assert row_count(bus_url, "queue = 'stock'") == 1


@pytest.mark.parametrize(
    ("binding", "key", "matches"),
    [
        ("order.#", "order", True),
        ("order.#", "order.a.b", True),
        ("#.created", "created", True),
        ("a.#.b", "a.b", True),
        ("a.#.b", "a.x.y.b", True),
        ("*.created", "order.created", True),
        ("*.created", "created", False),
        ("*.created", "a.b.created", False),
        ("order.*", "order", False),
        ("#", "anything.at.all", True),
        ("a.b", "a.b", True),
        ("a.b", "a.bc", False),
        ("a+b.c", "a+b.c", True),
    ],
)
def test_topic_matching_follows_amqp_words(binding: str, key: str, matches: bool) -> None:
    exchange = AmqpTopicExchange(None)
    table = [exchange.prepare_bind("q", "x", binding, None)]
    assert (exchange.lookup(table, "x", key, None) == {"q"}) is matches


def test_fanout_exchange_copies_to_every_bound_queue(bus_url: str) -> None:
    fanout = Exchange("broadcast", "fanout")
    queues = [Queue(f"listener{i}", fanout) for i in range(3)]
    with Connection(bus_url) as conn:
        for queue in queues:
            queue(conn.channel()).declare()
    with Connection(bus_url) as conn:
        Producer(conn.channel(), exchange=fanout).publish({"n": 1})
        got = Collector()
        with Consumer(conn, queues, callbacks=[got]):
            drain_until(conn, lambda: len(got.messages) == 3)
    assert {m.delivery_info["routing_key"] for m in got.messages} == {""}
    assert len({m.delivery_tag for m in got.messages}) == 3


def test_direct_exchange_routes_by_exact_key_only(bus_url: str) -> None:
    direct = Exchange("jobs", "direct")
    with Connection(bus_url) as conn:
        Queue("jobs.a", direct, routing_key="a")(conn.channel()).declare()
        Queue("jobs.b", direct, routing_key="b")(conn.channel()).declare()
        producer = Producer(conn.channel(), exchange=direct)
        producer.publish({"n": 1}, routing_key="a")
        producer.publish({"n": 2}, routing_key="a.x")
    assert row_count(bus_url, "queue = 'jobs.a'") == 1
    assert row_count(bus_url, "queue = 'jobs.b'") == 0


def test_unbind_stops_routing_for_other_connections(bus_url: str) -> None:
    direct = Exchange("jobs", "direct")
    queue = Queue("jobs.a", direct, routing_key="a")
    with Connection(bus_url) as publisher_conn, Connection(bus_url) as admin_conn:
        producer = Producer(publisher_conn.channel(), exchange=direct)
        bound = queue(admin_conn.channel())
        bound.declare()
        producer.publish({"n": 1}, routing_key="a")
        bound.unbind_from(direct, routing_key="a")
        producer.publish({"n": 2}, routing_key="a")
    assert row_count(bus_url, "queue = 'jobs.a'") == 1


def test_redeclaring_an_exchange_with_another_type_is_refused(bus_url: str) -> None:
    with Connection(bus_url) as conn:
        Exchange("events", "topic")(conn.channel()).declare()
    with Connection(bus_url) as conn, pytest.raises(Exception, match="redeclare"):
        Exchange("events", "direct")(conn.channel()).declare()


# -- cross-process ------------------------------------------------------------------------

PUBLISHER = """
url, count = sys.argv[1], int(sys.argv[2])
with Connection(url) as conn:
    producer = Producer(conn.channel(), exchange=Exchange("events", "topic"))
    for n in range(count):
        producer.publish({"n": n}, routing_key="order.created")
"""


def test_messages_published_by_another_process_reach_a_bound_queue(
    bus_url: str, child_env: dict[str, Any]
) -> None:
    queue = Queue("orders", Exchange("events", "topic"), routing_key="order.*")
    with Connection(bus_url) as conn:
        queue(conn.channel()).declare()
        publisher = spawn(child_env, PUBLISHER, bus_url, "50")
        assert publisher.wait(timeout=DEADLINE) == 0
        got = Collector()
        with Consumer(conn, [queue], callbacks=[got]):
            drain_until(conn, lambda: len(got.messages) == 50)
    assert got.numbers == list(range(50))


HOLDER = """
url, prefetch, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = Connection(url)
channel = conn.channel()
channel.basic_qos(0, prefetch, False)
held = []
consumer = Consumer(channel, [Queue("work")], no_ack=False,
                    callbacks=[lambda body, message: held.append(body["n"])])
consumer.consume()
while len(held) < hold:
    try:
        conn.drain_events(timeout=1)
    except socket.timeout:
        pass
print(json.dumps(held), flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize(("prefetch", "hold"), [(5, 5), (0, 3)], ids=["prefetch5", "unlimited"])
def test_sigkilled_consumer_loses_nothing_its_messages_are_redelivered(
    bus_url: str, child_env: dict[str, Any], prefetch: int, hold: int
) -> None:
    publish_numbers(bus_url, "work", 20)
    holder = spawn(child_env, HOLDER, bus_url, str(prefetch), str(hold))
    assert holder.stdout is not None
    held = json.loads(holder.stdout.readline())
    assert len(held) == hold
    assert row_count(bus_url, "owner IS NOT NULL") >= hold  # reserved, not gone
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=DEADLINE)

    got = Collector()
    with Connection(bus_url) as conn, Consumer(conn, [Queue("work")], callbacks=[got]):
        drain_until(conn, lambda: len(got.messages) >= 20)
        drain_idle(conn)
    assert sorted(got.numbers) == list(range(20))
    redelivered = {m.payload["n"] for m in got.messages if m.delivery_info.get("redelivered")}
    assert set(held) <= redelivered
    assert row_count(bus_url) == 0


def test_running_consumer_picks_up_messages_of_a_consumer_killed_meanwhile(
    bus_url: str, child_env: dict[str, Any]
) -> None:
    got = Collector()
    options = {"reclaim_interval": 0.1}
    with (
        Connection(bus_url, transport_options=options) as conn,
        Consumer(conn, [Queue("work")], callbacks=[got]) as consumer,
    ):
        # Start polling before the holder reserves anything, so the reclaim below is the
        # periodic one of a running consumer, not the one at channel open.
        drain_idle(conn, rounds=1)
        consumer.cancel()
        publish_numbers(bus_url, "work", 10)
        holder = spawn(child_env, HOLDER, bus_url, "10", "10")
        assert holder.stdout is not None
        assert len(json.loads(holder.stdout.readline())) == 10
        consumer.consume()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=DEADLINE)
        drain_until(conn, lambda: len(got.messages) == 10)
    assert sorted(got.numbers) == list(range(10))


COMPETING = """
url = sys.argv[1]
conn = Connection(url)
channel = conn.channel()
channel.basic_qos(0, 10, False)
got = []
def on_message(body, message):
    got.append(body["n"])
    message.ack()
Consumer(channel, [Queue("work")], no_ack=False, callbacks=[on_message]).consume()
print("ready", flush=True)
while True:
    try:
        conn.drain_events(timeout=0.05)
    except socket.timeout:
        if select.select([sys.stdin], [], [], 0)[0]:
            break
conn.release()
print(json.dumps(got), flush=True)
"""


def test_two_consumer_processes_never_receive_the_same_message(
    bus_url: str, child_env: dict[str, Any]
) -> None:
    with Connection(bus_url) as conn:
        Queue("work")(conn.channel()).declare()
    consumers = [spawn(child_env, COMPETING, bus_url) for _ in range(2)]
    for proc in consumers:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    publish_numbers(bus_url, "work", 600)
    deadline = time.monotonic() + DEADLINE
    while row_count(bus_url):  # every message delivered and its ack flushed
        assert time.monotonic() < deadline, "consumers did not drain the queue"
        time.sleep(0.05)
    received = []
    for proc in consumers:
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.close()
        received.append(json.loads(proc.stdout.readline()))
        assert proc.wait(timeout=DEADLINE) == 0
    first, second = (set(r) for r in received)
    assert len(received[0]) == len(first)
    assert len(received[1]) == len(second)
    assert not first & second
    assert first | second == set(range(600))


def test_interleaved_consumers_share_the_queue_without_overlap(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 100)
    collectors = [Collector(), Collector()]
    with Connection(bus_url) as one, Connection(bus_url) as two:
        consumers = []
        for conn, got in zip((one, two), collectors, strict=True):
            channel = conn.channel()
            channel.basic_qos(0, 10, False)
            consumers.append(Consumer(channel, [Queue("work")], callbacks=[got]))
            consumers[-1].consume()
        deadline = time.monotonic() + DEADLINE
        while sum(len(c.messages) for c in collectors) < 100:
            assert time.monotonic() < deadline
            for conn in (one, two):
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=0.2)
        for consumer in consumers:
            consumer.cancel()
    first, second = (set(c.numbers) for c in collectors)
    assert first
    assert second
    assert not first & second
    assert first | second == set(range(100))


def test_unacked_messages_of_a_live_consumer_stay_with_it_until_it_closes(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 20)
    holder, other = Collector(ack=False), Collector()
    with Connection(bus_url) as other_conn:
        with Connection(bus_url) as holder_conn:
            channel = holder_conn.channel()
            channel.basic_qos(0, 5, False)
            with Consumer(channel, [Queue("work")], callbacks=[holder]):
                drain_until(holder_conn, lambda: len(holder.messages) == 5)
                with Consumer(other_conn, [Queue("work")], callbacks=[other]):
                    drain_until(other_conn, lambda: len(other.messages) == 15)
                    drain_idle(other_conn)
                    assert not set(holder.numbers) & set(other.numbers)
        # Closing the holder's connection requeued what it never acked.
        with Consumer(other_conn, [Queue("work")], callbacks=[other]):
            drain_until(other_conn, lambda: len(other.messages) == 20)
    assert sorted(other.numbers) == list(range(20))
    assert all(m.delivery_info.get("redelivered") for m in other.messages[15:])


# -- acks, rejects, recover -------------------------------------------------------------


def test_reject_with_requeue_redelivers_and_reject_without_drops(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 1)
    seen: list[Message] = []

    def on_message(body: Any, message: Message) -> None:
        seen.append(message)
        if len(seen) == 1:
            message.requeue()
        else:
            message.reject()

    with Connection(bus_url) as conn, Consumer(conn, [Queue("work")], callbacks=[on_message]):
        drain_until(conn, lambda: len(seen) == 2)
        drain_idle(conn)
    assert [m.payload["n"] for m in seen] == [0, 0]
    assert not seen[0].delivery_info.get("redelivered")
    assert seen[1].delivery_info.get("redelivered")
    assert row_count(bus_url) == 0


def test_recover_requeues_every_unacked_message(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 3)
    got = Collector(ack=False)
    with (
        Connection(bus_url) as conn,
        Consumer(conn, [Queue("work")], callbacks=[got]) as consumer,
    ):
        drain_until(conn, lambda: len(got.messages) == 3)
        consumer.recover(requeue=True)
        drain_until(conn, lambda: len(got.messages) == 6)
        for message in got.messages[3:]:
            message.ack()
    assert sorted(got.numbers) == [0, 0, 1, 1, 2, 2]
    assert row_count(bus_url) == 0


def test_no_ack_consumer_deletes_what_it_receives(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 5)
    got: list[Any] = []
    with Connection(bus_url) as conn:
        consumer = Consumer(
            conn, [Queue("work")], no_ack=True, callbacks=[lambda b, m: got.append(b)]
        )
        with consumer:
            drain_until(conn, lambda: len(got) == 5)
    assert row_count(bus_url) == 0


def test_basic_get_reserves_only_the_message_it_returns(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 5)
    with Connection(bus_url) as conn:
        queue = Queue("work")(conn.channel())
        message = queue.get(no_ack=False)
        assert message is not None
        assert message.payload == {"n": 0}
        assert row_count(bus_url, "owner IS NOT NULL") == 1
        message.ack()
    assert row_count(bus_url) == 4


def test_prefetch_bounds_reservations(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 50)
    got = Collector(ack=False)
    with Connection(bus_url) as conn:
        channel = conn.channel()
        channel.basic_qos(0, 3, False)
        with Consumer(channel, [Queue("work")], callbacks=[got]):
            drain_until(conn, lambda: len(got.messages) == 3)
            drain_idle(conn)
            assert len(got.messages) == 3
            assert row_count(bus_url, "owner IS NOT NULL") == 3


# -- queues and batches -----------------------------------------------------------------


def test_declare_is_idempotent_and_purge_size_delete_work(bus_url: str) -> None:
    publish_numbers(bus_url, "work", 7)
    with Connection(bus_url) as conn:
        channel = conn.channel()
        queue = Queue("work")(channel)
        assert queue.declare() == "work"
        assert queue.queue_declare().message_count == 7
        assert queue.queue_declare(passive=True).message_count == 7
        assert queue.purge() == 7
        assert queue.queue_declare().message_count == 0
        publish_numbers(bus_url, "work", 2)
        queue.delete()
        assert row_count(bus_url) == 0
        with pytest.raises(conn.channel_errors):
            Queue("work")(conn.channel()).queue_declare(passive=True)


def test_producer_batch_commits_when_the_block_exits(bus_url: str) -> None:
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel())
        Queue("work")(producer.channel).declare()
        with producer.batch(max_size=1000):
            for n in range(10):
                producer.publish({"n": n}, routing_key="work")
            assert row_count(bus_url) == 0
        assert row_count(bus_url) == 10


def test_producer_batch_that_raises_publishes_nothing(bus_url: str) -> None:
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel())

        def publish_then_fail() -> None:
            with producer.batch():
                producer.publish({"n": 1}, routing_key="work")
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError, match="abort"):
            publish_then_fail()
    assert row_count(bus_url) == 0


# -- URLs and options -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///abs/path/bus.db", "/abs/path/bus.db"),
        ("sqlite:////abs/path/bus.db", "/abs/path/bus.db"),
        ("sqlite:///Abs/Mixed Case.db", "/Abs/Mixed Case.db"),
        ("sqlite:///abs/bus.db?synchronous=FULL", "/abs/bus.db"),
    ],
)
def test_absolute_url_forms(url: str, expected: str) -> None:
    assert database_path(url)[0] == expected


def test_relative_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "relative").mkdir()
    with Connection("sqlite://relative/path.db") as conn:
        Producer(conn.channel()).publish({"n": 1}, routing_key="q")
    assert (tmp_path / "relative" / "path.db").exists()


def test_options_come_from_the_url_query_and_transport_options(bus_url: str) -> None:
    with Connection(bus_url + "?synchronous=FULL&fetch_batch=7") as conn:
        transport = conn.transport
        assert isinstance(transport, Transport)
        assert transport.options.fetch_batch == 7
        assert conn.channel().db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    options = {"synchronous": "normal", "polling_interval": 0.01}
    with Connection(bus_url + "?synchronous=FULL", transport_options=options) as conn:
        channel = conn.channel()
        assert channel.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert channel.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.transport.polling_interval == 0.01


def test_invalid_options_are_all_reported_at_once() -> None:
    with pytest.raises(ValueError, match="synchronous") as caught:
        SqliteBusOptions.from_sources({"synchronous": "OFF"}, {"fetch_batch": 0})
    assert "fetch_batch" in str(caught.value)


def test_an_url_without_a_path_is_refused() -> None:
    with pytest.raises(ValueError, match="database file"):
        database_path("sqlite://")
    with pytest.raises(ValueError, match="memory"):
        database_path("sqlite://:memory:")


def test_closed_channel_reports_an_error_instead_of_a_crash(bus_url: str) -> None:
    with Connection(bus_url) as conn:
        channel = conn.channel()
        channel.close()
        with pytest.raises(conn.channel_errors):
            _ = channel.db


def test_socket_timeout_is_the_builtin_timeout_error() -> None:
    # drain_until relies on kombu raising socket.timeout, an alias of TimeoutError.
    assert socket.timeout is TimeoutError


def test_headers_with_kombu_tagged_types_round_trip(bus_url: str) -> None:
    when = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    got = Collector()
    with Connection(bus_url) as conn:
        producer = Producer(conn.channel())
        Queue("typed")(producer.channel).declare()
        producer.publish({"n": 1}, routing_key="typed", headers={"at": when, "plain": "x"})
        with Consumer(conn.channel(), [Queue("typed")], callbacks=[got]):
            drain_until(conn, lambda: len(got.messages) == 1)
    assert got.messages[0].headers["at"] == when
    assert got.messages[0].headers["plain"] == "x"
