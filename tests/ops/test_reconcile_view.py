"""Reconcile in the ops API and on the ops page: the same balances as ``crossdock reconcile``.

On the embedded defaults and on RabbitMQ with a fresh PostgreSQL: a file with bad lines
balances with its dead letters, a refused file with its one letter; a dead letter deleted by
hand is a gap named by its line, in the JSON and on the page. Viewers may look; no token, 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table

from hub.bus.connection import open_connection
from hub.config import Settings
from hub.deadletter.model import DeadLetterRow
from hub.runtime import HubRun
from tests.hub.conftest import QuietReport
from tests.ops.conftest import BAD_QTY, GOOD, OpsEnv, make_env, sign_in, write_csv
from tests.services import fresh_postgres_database, require_rabbitmq


def run_inbox(env: OpsEnv) -> Path:
    """The hub run once over the env's inbox: a.csv (3 good rows, 2 bad) and a binary b.csv."""
    inbox = env.settings.resolved_inbox
    write_csv(inbox / "a.csv", [GOOD, BAD_QTY, GOOD, BAD_QTY.replace("SKU-5", "SKU-6"), GOOD])
    (inbox / "b.csv").write_bytes(b"\x7fELF\x02\x01" + bytes(range(256)) * 4)
    HubRun(env.settings, QuietReport(), once=True, poll=0.05).run()
    return inbox


def delete_letter_of_line(env: OpsEnv, line: int) -> None:
    """A dead letter deleted by hand: the gap reconcile must find."""
    letters = cast(Table, DeadLetterRow.__table__)
    with env.app.state.ops.engine.begin() as conn:
        gone = conn.execute(letters.delete().where(letters.c.location.like(f"%:line {line}")))
    assert gone.rowcount == 1


@pytest.fixture(params=["embedded", "rabbitmq+postgres"])
def inbox_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OpsEnv]:
    """The ops console of a hub with an inbox, on both buses."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    if request.param == "embedded":
        env = make_env(Settings(data_dir=tmp_path / "data", inbox=inbox), tmp_path, monkeypatch)
        yield env
        env.app.state.ops.close()
        return
    amqp = require_rabbitmq()
    with fresh_postgres_database() as url:
        settings = Settings(data_dir=tmp_path / "data", inbox=inbox, bus_url=amqp, database_url=url)
        env = make_env(settings, tmp_path, monkeypatch)
        try:
            yield env
        finally:
            env.app.state.ops.close()
            env.app.state.ops.engine.dispose()
            env.app.state.registry.engine.dispose()
            conn = open_connection(env.settings.resolved_bus_url)
            try:
                env.queue(conn.channel()).delete()
            finally:
                conn.release()


def test_the_api_balances_each_file_and_names_a_gap_by_line(inbox_env: OpsEnv) -> None:
    env = inbox_env
    run_inbox(env)
    client = TestClient(env.app)
    assert client.get("/ops/api/reconcile").status_code == 401

    got = client.get("/ops/api/reconcile", headers=env.headers("viewer"))
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc["balanced"] is True
    files = {f["name"]: f for f in doc["files"]}
    assert (files["a.csv"]["records"], files["a.csv"]["events_confirmed"]) == (5, 3)
    assert files["a.csv"]["dead_letters"] == 2
    assert files["b.csv"]["state"] == "refused"

    delete_letter_of_line(env, 5)
    one = client.get("/ops/api/reconcile?file=a.csv", headers=env.headers("viewer")).json()
    assert one["balanced"] is False
    (a,) = one["files"]
    assert [(g["where"], g["records"]) for g in a["gaps"]] == [("line 5", 1)]

    bad = client.get("/ops/api/reconcile?since=yesterday", headers=env.headers("viewer"))
    assert bad.status_code == 422


def test_the_page_shows_the_balance_and_the_gap(inbox_env: OpsEnv) -> None:
    env = inbox_env
    run_inbox(env)
    delete_letter_of_line(env, 3)
    client = TestClient(env.app)
    sign_in(client, env.tokens["viewer"])
    page = client.get("/ops/reconcile")
    assert page.status_code == 200
    assert 'data-file="a.csv" data-balanced="no"' in page.text
    assert 'data-file="b.csv" data-balanced="yes"' in page.text
    assert "<strong>line 3</strong>" in page.text
    assert "1 of 2 files with gaps" in page.text
