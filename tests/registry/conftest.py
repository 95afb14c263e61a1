"""Fixtures for the registry API: an app on a fresh SQLite file, a test client, a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.config import Settings
from hub.registry.settings import RegistrySettings

ADMIN_TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def registry_app(tmp_path: Path) -> FastAPI:
    """The hub app on a fresh SQLite database, seeded, with a bootstrap admin token."""
    return create_app(
        Settings(data_dir=tmp_path),
        registry_settings=RegistrySettings(admin_token=ADMIN_TOKEN),
    )


@pytest.fixture
def client(registry_app: FastAPI) -> Iterator[TestClient]:
    """A test client on ``registry_app``."""
    with TestClient(registry_app) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def live_url(registry_app: FastAPI) -> Iterator[str]:
    """``registry_app`` served by uvicorn on a free loopback port, in a background thread."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(registry_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def json_schema(properties: dict[str, object], *, closed: bool = True, **extra: object) -> str:
    """A small object schema as JSON text."""
    import json

    schema: dict[str, object] = {"type": "object", "properties": properties, **extra}
    if closed:
        schema["additionalProperties"] = False
    return json.dumps(schema)


def register(
    client: TestClient,
    subject: str,
    schema: str,
    references: list[dict[str, object]] | None = None,
) -> int:
    """Register ``schema`` under ``subject`` (its name percent-encoded); return the id."""
    body: dict[str, object] = {"schema": schema}
    if references is not None:
        body["references"] = references
    r = client.post(f"/subjects/{quote(subject, safe='')}/versions", json=body, headers=ADMIN)
    assert r.status_code == 200, r.text
    schema_id: int = r.json()["id"]
    return schema_id


def error_of(response: object, status: int, code: int) -> str:
    """Assert ``response`` is Confluent's error body with ``status``/``code``; its message."""
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error_code", "message"}, body
    assert body["error_code"] == code, body
    message: str = body["message"]
    return message
