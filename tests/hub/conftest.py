"""Fixtures that give a test a real bus and database: embedded, or RabbitMQ + PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kombu import Queue
from sqlalchemy import text

from hub.bus.consumer import EventConsumer
from hub.bus.topology import event_queue
from hub.config import Settings
from hub.storage import connect
from tests.services import require_postgres, require_rabbitmq

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"


@dataclass
class HubEnv:
    """A settings object plus a queue already bound to the events exchange."""

    settings: Settings
    queue: Queue
    consumer: EventConsumer
    name: str


def _reset_postgres(url: str) -> None:
    engine = connect(url)
    with engine.begin() as conn:
        for table in ("dead_letters", "checkpoints", "processed_events"):
            conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture(params=["embedded", "rabbitmq+postgres"])
def hub_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEnv]:
    """The hub on the embedded defaults, and on RabbitMQ with PostgreSQL."""
    name = f"test.{uuid.uuid4().hex[:10]}"
    if request.param == "embedded":
        settings = Settings(data_dir=tmp_path / "data", chunk_size=50, batch_size=20)
    else:
        amqp, pg = require_rabbitmq(), require_postgres()
        _reset_postgres(pg)
        settings = Settings(
            data_dir=tmp_path / "data", bus_url=amqp, database_url=pg, chunk_size=50, batch_size=20
        )
    settings.data_dir.mkdir(parents=True)
    queue = event_queue(name, ["retail.inventory.adjusted.*"])
    consumer = EventConsumer(settings.resolved_bus_url, queue)
    consumer.declare()
    yield HubEnv(settings, queue, consumer, name)
    if request.param != "embedded":
        from hub.bus.connection import open_connection

        conn = open_connection(settings.resolved_bus_url)
        try:
            queue(conn.channel()).delete()
        finally:
            conn.release()


def write_count(path: Path, rows: list[str]) -> Path:
    """A stock-count CSV with the standard header and ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path
