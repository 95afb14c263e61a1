"""Fixtures for the ops console: a hub with real dead letters, tokens of each role, a v2 spec.

Dead letters are made by running the real pipeline over a stock-count CSV with bad rows. The
environments are the embedded defaults and RabbitMQ with a fresh PostgreSQL database.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from kombu import Queue

from hub.api import create_app
from hub.auth import create_token
from hub.bus.consumer import EventConsumer
from hub.bus.topology import event_queue
from hub.config import Settings
from hub.registry.settings import RegistrySettings
from hub.runtime import Hub
from mappings import SPECS_DIR
from tests.services import fresh_postgres_database, require_rabbitmq

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
GOOD = "0142,SKU-1,,12,12,2026-11-20T06:05:00Z,m.lopez"
# a decimal comma: version 1 of csv.stock-count refuses it, version 2 reads it
COMMA = '0142,SKU-2,,"12,5",14,2026-11-20T06:06:10Z,m.lopez'
BAD_QTY = "0142,SKU-5,,twelve,14,2026-11-20T06:10:11Z,m.lopez"
BAD_TIME = "0142,SKU-7,,3,3,yesterday,m.lopez"


def sign_in(client: Any, token: str) -> str:
    """Sign ``client`` (a TestClient) in through the /ops form; the page's CSRF value."""
    form = client.get("/ops/login")
    sent = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert sent is not None, form.text
    done = client.post(
        "/ops/login", data={"token": token, "csrf": sent.group(1)}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    page = client.get("/ops")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf is not None, page.text
    return csrf.group(1)


def write_csv(path: Path, rows: list[str]) -> Path:
    """A stock-count CSV with the standard header and ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def write_v2_spec(folder: Path) -> Path:
    """Version 2 of csv.stock-count: the same spec reading a decimal comma in counted_qty."""
    folder.mkdir(parents=True, exist_ok=True)
    v1 = (SPECS_DIR / "csv" / "retail.inventory.adjusted@1.yaml").read_text(encoding="utf-8")
    v2 = v1.replace("version: 1", "version: 2").replace(
        "counted_qty, transform: [strip, decimal]", "counted_qty, transform: [strip, decimal_comma]"
    )
    assert v2 != v1
    path = folder / "retail.inventory.adjusted@2.yaml"
    path.write_text(v2, encoding="utf-8")
    return path


@dataclass
class OpsEnv:
    """A hub's settings, its app, tokens of each role, and a queue bound to the events."""

    settings: Settings
    app: FastAPI
    tokens: dict[str, str]
    consumer: EventConsumer
    queue: Queue
    v2_dir: Path
    #: a file name of this test only: the RabbitMQ exchange is shared with other test runs,
    #: so events are told apart by their source
    file_name: str = field(default_factory=lambda: f"count-{uuid.uuid4().hex[:10]}.csv")

    def headers(self, role: str) -> dict[str, str]:
        """The Authorization header of the token with ``role``."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    @property
    def source(self) -> str:
        """The CloudEvents source of this test's events."""
        return f"crossdock:file/{self.file_name}"

    def events(self) -> list[dict[str, Any]]:
        """Every event of this test published since the last call."""
        got: list[dict[str, Any]] = []
        self.consumer.drain(got.extend, idle_timeout=1.0, max_seconds=60.0)
        return [e for e in got if e.get("source") == self.source]

    def feed(self, folder: Path, rows: list[str]) -> None:
        """Run the real pipeline over a CSV of ``rows``: bad rows become dead letters."""
        path = write_csv(folder / self.file_name, rows)
        with Hub(self.settings) as hub:
            hub.read_file("stock-count", path)


def make_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OpsEnv:
    """Create the app (migrations, ops storage) and tokens; bind a fresh queue."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    v2_dir = tmp_path / "specs-v2"
    write_v2_spec(v2_dir)
    monkeypatch.setenv("CROSSDOCK_MAPPINGS_DIRS", str(v2_dir))
    queue = event_queue(f"test.ops.{uuid.uuid4().hex[:10]}", ["retail.inventory.adjusted.*"])
    consumer = EventConsumer(settings.resolved_bus_url, queue)
    consumer.declare()
    app = create_app(settings, registry_settings=RegistrySettings(seed=False))
    engine = app.state.ops.engine
    tokens = {
        role: create_token(engine, role, f"{role}-test") for role in ("viewer", "operator", "admin")
    }
    return OpsEnv(settings, app, tokens, consumer, queue, v2_dir)


def _delete_queue(env: OpsEnv) -> None:
    from hub.bus.connection import open_connection

    conn = open_connection(env.settings.resolved_bus_url)
    try:
        env.queue(conn.channel()).delete()
    finally:
        conn.release()


@pytest.fixture(params=["embedded", "rabbitmq+postgres"])
def ops_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OpsEnv]:
    """The ops console on the embedded defaults, and on RabbitMQ with a fresh PostgreSQL."""
    if request.param == "embedded":
        env = make_env(Settings(data_dir=tmp_path / "data"), tmp_path, monkeypatch)
        yield env
        env.app.state.ops.close()
        return
    amqp = require_rabbitmq()
    with fresh_postgres_database() as url:
        settings = Settings(data_dir=tmp_path / "data", bus_url=amqp, database_url=url)
        env = make_env(settings, tmp_path, monkeypatch)
        try:
            yield env
        finally:
            env.app.state.ops.close()
            env.app.state.ops.engine.dispose()
            env.app.state.registry.engine.dispose()
            _delete_queue(env)


@pytest.fixture
def embedded_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpsEnv]:
    """The ops console on the embedded defaults only."""
    env = make_env(Settings(data_dir=tmp_path / "data"), tmp_path, monkeypatch)
    yield env
    env.app.state.ops.close()
