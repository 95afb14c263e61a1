"""The routing worker consumes canonical events from the bus and dead letters from the database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kombu import Queue

from hub.bus import ConfirmedPublisher, events_exchange
from hub.bus.connection import open_connection
from hub.database import connect
from hub.routing.dispatcher import Dispatcher
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.tasks import list_tasks
from hub.routing.worker import RoutingWorker, routing_queue
from tests.routing.conftest import FAST, Clock, memory_targets
from tests.routing.events import count, invoice
from tests.routing.scenario import pos_dead_letters
from tests.services import require_rabbitmq


def _publish(url: str, exchange: str, events: list[dict[str, object]]) -> None:
    import json

    with ConfirmedPublisher(url, exchange=events_exchange(exchange)) as publisher:
        for event in events:
            publisher.publish(
                json.dumps(event).encode(),
                routing_key=f"{event['type']}.v{event['dataversion']}",
                content_type="application/cloudevents+json",
                message_id=str(event["id"]),
            )
        publisher.flush()


def _worker(
    tmp_path: Path, bus_url: str, queue: str, exchange: str
) -> tuple[RoutingWorker, Router]:
    db = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    router = Router(db, load_engine(), clock=Clock())
    worker = RoutingWorker(
        router,
        Dispatcher(router, target_overrides=memory_targets(), policy=FAST),
        bus_url,
        queue=queue,
        exchange=exchange,
    )
    return worker, router


def _scenario(tmp_path: Path, bus_url: str, queue: str, exchange: str) -> None:
    worker, router = _worker(tmp_path, bus_url, queue, exchange)
    worker.declare()
    clock = Clock()
    _publish(
        bus_url,
        exchange,
        [count("S001", "SKU-1", 1, 10, clock()), invoice("INV-1", "9.00", clock())],
    )
    pos_dead_letters(router.db)
    worker.run(tick_every=0.5, once=True)
    rules = sorted(t["rule_id"] for t in list_tasks(router.db, limit=100))
    assert rules == [
        "connector-dead-letter-burst",
        "invoice-mismatch",
        "stock-variance-district",
        "stock-variance-recount",
    ]
    router.db.dispose()


def test_worker_on_the_embedded_bus(tmp_path: Path) -> None:
    _scenario(tmp_path, f"sqlite:///{tmp_path / 'bus.db'}", "crossdock.routing", "crossdock.events")


@pytest.mark.rabbitmq
def test_worker_on_rabbitmq(tmp_path: Path) -> None:
    url = require_rabbitmq()
    suffix = uuid.uuid4().hex[:12]
    queue, exchange = f"crossdock.routing.test.{suffix}", f"crossdock.events.test.{suffix}"
    try:
        _scenario(tmp_path, url, queue, exchange)
    finally:
        conn = open_connection(url)
        try:
            Queue(queue)(conn.default_channel).delete()
            events_exchange(exchange)(conn.default_channel).delete()
        finally:
            conn.release()


def test_a_restarted_worker_resumes_the_dead_letter_feed_where_it_stopped(tmp_path: Path) -> None:
    worker, router = _worker(tmp_path, f"sqlite:///{tmp_path / 'bus.db'}", "q", "x")
    pos_dead_letters(router.db, 3)
    assert worker.feed_dead_letters() == 3
    restarted = RoutingWorker(router, worker.dispatcher)
    assert restarted.feed_dead_letters() == 0
    pos_dead_letters(router.db, 6, store="S003")  # six new letters from another store's POS
    assert restarted.feed_dead_letters() == 6
    router.db.dispose()


@pytest.mark.rabbitmq
def test_hubs_on_different_exchanges_have_routing_queues_of_their_own(tmp_path: Path) -> None:
    url = require_rabbitmq()
    suffix = uuid.uuid4().hex[:12]
    exchanges = [f"crossdock.events.a.{suffix}", f"crossdock.events.b.{suffix}"]
    assert routing_queue("crossdock.events") == "crossdock.routing"  # the default hub's, as ever
    workers = []
    for i, exchange in enumerate(exchanges):
        (tmp_path / str(i)).mkdir()
        db = connect(f"sqlite:///{tmp_path / str(i) / 'hub.db'}")
        router = Router(db, load_engine(), clock=Clock())
        workers.append(RoutingWorker(router, Dispatcher(router), url, exchange=exchange))
    try:
        for worker in workers:
            worker.declare()
        clock = Clock()
        _publish(url, exchanges[0], [count("S001", f"SKU-{i}", 1, 10, clock()) for i in range(3)])
        assert [w.backlog() for w in workers] == [3, 0]
        assert [w.finish().events for w in workers] == [3, 0]
    finally:
        conn = open_connection(url)
        try:
            for exchange in exchanges:
                Queue(routing_queue(exchange))(conn.default_channel).delete()
                events_exchange(exchange)(conn.default_channel).delete()
        finally:
            conn.release()
        for worker in workers:
            worker.router.db.dispose()
