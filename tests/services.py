"""Reachability of the real servers the integration tests use.

A test that needs a server skips on a laptop without it, but fails when
``CROSSDOCK_REQUIRE_SERVICES=1`` (set by ``.ci/run``): on CI a missing server is a defect,
not a skip.
"""

from __future__ import annotations

import os
import socket

import pytest

RABBITMQ_URL = os.environ.get("CROSSDOCK_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
POSTGRES_URL = os.environ.get(
    "CROSSDOCK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip the calling test when the server is down, or fail it when services are required."""
    if _answers(host, port):
        return
    message = f"{name} is not answering on {host}:{port}"
    if os.environ.get("CROSSDOCK_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} and CROSSDOCK_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def require_rabbitmq() -> str:
    """Return the AMQP URL of the test broker, or skip/fail when it is down."""
    require_service("RabbitMQ", "127.0.0.1", 5672)
    return RABBITMQ_URL


def require_postgres() -> str:
    """Return the SQLAlchemy URL of the test database, or skip/fail when it is down."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL
