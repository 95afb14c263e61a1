"""Reachability of the real servers the integration tests use.

A test that needs a server skips on a laptop without it, but fails when
``CROSSDOCK_REQUIRE_SERVICES=1`` (set by ``.ci/run``): on CI a missing server is a defect,
not a skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from connectors.sftp.openssh import sshd_path
from hub.database import connect

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


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server for one test; dropped afterwards.

    Tests that clear or count shared tables would see each other's rows when two runs meet
    on one server (CI next to a developer, or parallel agents): a database each keeps them
    apart at the cost of ~0.1 s.
    """
    base = make_url(require_postgres())
    name = f"cd_test_{uuid.uuid4().hex[:12]}"
    # pre-ping: an outage test restarts the server between the create and the drop
    admin = create_engine(base, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def hub_database(kind: str, folder: Path) -> Iterator[Engine]:
    """The hub's engine on the embedded SQLite database in ``folder`` (``kind`` "sqlite") or
    on a fresh PostgreSQL database ("postgresql"); disposed (and dropped) afterwards."""
    if kind == "sqlite":
        engine = connect(f"sqlite:///{folder / 'hub.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with fresh_postgres_database() as url:
        engine = connect(url)
        try:
            yield engine
        finally:
            engine.dispose()


def require_sshd() -> str:
    """Return the path of OpenSSH's sshd, or skip/fail when openssh-server is not installed."""
    path = sshd_path()
    if path is not None:
        return path
    message = "sshd is not installed (Debian package openssh-server)"
    if os.environ.get("CROSSDOCK_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} and CROSSDOCK_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)
