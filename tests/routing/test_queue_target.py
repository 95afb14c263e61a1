"""The queue target on the embedded SQLite bus and on RabbitMQ: one durable message per notice."""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path

import pytest
from kombu import Connection

from hub.bus.connection import open_connection
from hub.config import Settings
from hub.routing.errors import TargetUnavailable
from hub.routing.targets import Notification, QueueConfig
from hub.routing.worker import routing_worker
from tests.services import fresh_postgres_database, require_rabbitmq


def _notification() -> Notification:
    return Notification(
        delivery_id="crossdock-delivery-7",
        task_id=7,
        purpose="opened",
        rule="invoice-mismatch@1",
        category="invoice_mismatch",
        severity="medium",
        priority=3,
        impact=2,
        urgency=2,
        title="Invoice INV-1 does not match",
        summary="",
        correlation_id="crossdock-task-7",
        state="open",
    )


def _read_one(url: str, queue: str) -> dict[str, object]:
    conn: Connection = open_connection(url)
    try:
        simple = conn.SimpleQueue(queue)
        message = simple.get(timeout=5)
        message.ack()
        simple.close()
        body = message.body
        return dict(json.loads(body if isinstance(body, bytes | str) else json.dumps(body)))
    finally:
        conn.release()


def test_queue_target_on_the_embedded_bus(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bus.db'}"
    target = QueueConfig(url=url, queue="routing.ap").build("ap")
    receipt = target.send(_notification())
    assert receipt.reference == "crossdock-delivery-7"
    body = _read_one(url, "routing.ap")
    assert body["task_id"] == 7
    assert body["category"] == "invoice_mismatch"


@pytest.mark.rabbitmq
def test_queue_target_on_rabbitmq() -> None:
    url = require_rabbitmq()
    queue = f"routing.test.{uuid.uuid4().hex[:12]}"
    target = QueueConfig(url=url, queue=queue).build("ap")
    try:
        target.send(_notification())
        assert _read_one(url, queue)["rule"] == "invoice-mismatch@1"
    finally:
        conn = open_connection(url)
        try:
            conn.default_channel.queue_delete(queue)
        finally:
            conn.release()


def test_queue_target_with_no_broker_is_unavailable_not_lost() -> None:
    target = QueueConfig(url="amqp://guest:guest@127.0.0.1:1//", queue="x").build("ap")
    with pytest.raises(TargetUnavailable):
        target.send(_notification())


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_hub_routes_to_its_own_bus_wherever_it_was_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    # the cause of a delivery dead-lettered with "sqlite3.OperationalError: unable to open
    # database file": the queue target resolved the embedded bus against the working directory
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("CROSSDOCK_BUS_URL", raising=False)
    with contextlib.ExitStack() as stack:
        database_url = (
            stack.enter_context(fresh_postgres_database()) if database == "postgres" else None
        )
        settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
        worker = routing_worker(settings)
        target = worker.dispatcher.targets()["store-ops"]
        assert target.send(_notification()).reference == "crossdock-delivery-7"
        assert _read_one(settings.resolved_bus_url, "routing.store-ops")["task_id"] == 7
        worker.router.db.dispose()
    assert not (elsewhere / "var").exists()
