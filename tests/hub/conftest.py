"""Fixtures that give a test a real bus and database: embedded, or RabbitMQ + PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from kombu import Queue

from connectors.errors import RecordError
from connectors.sdk.runner import RunOutcome
from hub.bus.consumer import EventConsumer
from hub.bus.topology import event_queue, events_exchange
from hub.config import Settings
from hub.file_source import FileOutcome, Progress
from hub.source_poller import PolledSource
from tests.services import fresh_postgres_database, require_rabbitmq

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"


@dataclass
class HubEnv:
    """A settings object plus a queue already bound to the events exchange."""

    settings: Settings
    queue: Queue
    consumer: EventConsumer
    name: str


@pytest.fixture(params=["embedded", "rabbitmq+postgres"])
def hub_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEnv]:
    """The hub on the embedded defaults, and on RabbitMQ with PostgreSQL."""
    name = f"test.{uuid.uuid4().hex[:10]}"
    # an exchange and a database of its own: other runs on the same servers stay invisible
    exchange = events_exchange(name)
    with ExitStack() as stack:
        if request.param == "embedded":
            settings = Settings(
                data_dir=tmp_path / "data", exchange=name, chunk_size=50, batch_size=20
            )
        else:
            amqp = require_rabbitmq()
            pg = stack.enter_context(fresh_postgres_database())
            settings = Settings(
                data_dir=tmp_path / "data",
                bus_url=amqp,
                database_url=pg,
                exchange=name,
                chunk_size=50,
                batch_size=20,
            )
        settings.data_dir.mkdir(parents=True)
        queue = event_queue(name, ["retail.inventory.adjusted.*"], exchange)
        consumer = EventConsumer(settings.resolved_bus_url, queue)
        consumer.declare()
        yield HubEnv(settings, queue, consumer, name)
        if request.param != "embedded":
            from hub.bus.connection import open_connection

            conn = open_connection(settings.resolved_bus_url)
            try:
                channel = conn.channel()
                queue(channel).delete()
                exchange(channel).delete()
            finally:
                conn.release()


def write_count(path: Path, rows: list[str]) -> Path:
    """A stock-count CSV with the standard header and ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


class QuietReport:
    """A run report that says nothing (HubRun's RunReport, for tests that read the outcome
    from the databases rather than from what the run printed)."""

    def say(self, text: str) -> None:
        pass

    @contextmanager
    def file_progress(self, path: Path) -> Iterator[Progress]:
        yield lambda *_: None

    def file_done(self, path: Path, result: FileOutcome | RecordError) -> None:
        pass

    def source_read(self, polled: PolledSource, result: RunOutcome | Exception) -> None:
        pass
