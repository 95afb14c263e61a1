"""``crossdock run`` routes the events it publishes in its own process, as the broker confirms
them: nothing crosses the broker a second time to be routed, the run's own routing queue is
never declared, and every published event is claimed by routing before the run exits. A
``crossdock routing run`` beside it gets the hub's events on its queue and routing them again
changes nothing (the claims by event id). Embedded, and on RabbitMQ + PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from kombu import Exchange, Queue
from sqlalchemy import Engine, text

from hub.bus.connection import open_connection
from hub.bus.topology import unrouted_queue
from hub.config import load_settings
from hub.database import connect
from hub.routing.worker import routing_queue, routing_worker
from tests.services import fresh_postgres_database, require_rabbitmq

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
ROWS = 3_000
BATCH = 20  # events per bus message: 150 messages
VARIANCES = ROWS // 10  # every tenth row is counted 4 short of a system figure of 9 (44 %)


def _count(i: int) -> str:
    counted = 5 if i % 10 == 0 else 9
    return f"014{i % 3},SKU-{i:05d},,{counted},9,2026-11-20T06:05:00Z,m.lopez\n"


@contextmanager
def _servers(kind: str, tmp_path: Path) -> Iterator[list[str]]:
    """crossdock.yaml lines for the hub's bus and database: embedded, or RabbitMQ (an exchange
    of its own, deleted with its queues afterwards) and a fresh PostgreSQL database."""
    if kind == "embedded":
        yield []
        return
    amqp = require_rabbitmq()
    exchange = f"test-inproc-{os.getpid()}-{tmp_path.name[-12:]}"
    with fresh_postgres_database() as database_url:
        try:
            yield [f"bus_url: {amqp}", f"database_url: {database_url}", f"exchange: {exchange}"]
        finally:
            conn = open_connection(amqp)
            try:
                channel = conn.channel()
                for name in (routing_queue(exchange), unrouted_queue(exchange)):
                    Queue(name, channel=channel).delete()
                Exchange(exchange, channel=channel).delete()
            finally:
                conn.release()


def _hub(tmp_path: Path, servers: list[str]) -> tuple[Path, list[str]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "count.csv").write_text(
        HEADER + "".join(_count(i) for i in range(ROWS)), encoding="utf-8"
    )
    config = tmp_path / "crossdock.yaml"
    lines = [f"data_dir: {tmp_path / 'data'}", f"batch_size: {BATCH}", *servers]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    return config, ["run", "--once", "--json", "--inbox", str(inbox), "--config", str(config)]


def _routing_tables(db: Engine) -> dict[str, int]:
    """What routing has recorded: claims, tasks and their occurrences, lines, audit entries."""
    queries = {
        "claims": "SELECT count(*) FROM processed_events WHERE consumer = 'routing'",
        "tasks": "SELECT count(*) FROM routing_tasks",
        "occurrences": "SELECT coalesce(sum(occurrences), 0) FROM routing_tasks",
        "lines": "SELECT count(*) FROM routing_task_lines",
        "audit": "SELECT count(*) FROM routing_audit",
    }
    with db.connect() as conn:
        return {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in queries.items()}


def _routing_queue_exists(config: Path) -> bool:
    settings = load_settings(config)
    conn = open_connection(settings.resolved_bus_url)
    try:
        Queue(routing_queue(settings.exchange), channel=conn.channel()).queue_declare(passive=True)
    except Exception:  # kombu's ChannelError (embedded) or amqp's NotFound: not there
        return False
    finally:
        conn.release()
    return True


@pytest.mark.parametrize("kind", ["embedded", "rabbitmq+postgres"])
def test_a_once_run_routes_every_event_it_publishes_in_process_and_declares_no_routing_queue(
    kind: str, tmp_path: Path
) -> None:
    from hub.cli.app import app

    with _servers(kind, tmp_path) as servers:
        config, args = _hub(tmp_path, servers)
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert (summary["published"], summary["routed_events"]) == (ROWS, ROWS)
        assert summary["unroutable_messages"] == 0
        assert summary["open_routing_tasks"] == 3  # a recount task for each of the 3 stores
        assert summary["routing_queue_waiting"] is None  # no routing queue: none was declared
        db = connect(load_settings(config).resolved_database_url)
        try:
            tables = _routing_tables(db)
        finally:
            db.dispose()
        assert tables["claims"] == ROWS  # every published event was routed, once
        assert tables["lines"] == VARIANCES
        assert not _routing_queue_exists(config)


@pytest.mark.parametrize("kind", ["embedded", "rabbitmq+postgres"])
def test_a_routing_worker_beside_the_hub_routes_its_events_again_and_changes_nothing(
    kind: str, tmp_path: Path
) -> None:
    from hub.cli.app import app

    with _servers(kind, tmp_path) as servers:
        config, args = _hub(tmp_path, servers)
        settings = load_settings(config)
        worker = routing_worker(settings)
        worker.declare()  # `crossdock routing run` is up: its queue is bound to retail.#
        try:
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
            summary = json.loads(result.stdout)
            assert summary["routed_events"] == ROWS
            # the run says what waits in the queue it does not read
            assert summary["routing_queue_waiting"] == ROWS // BATCH
            before = _routing_tables(worker.router.db)
            assert before["claims"] == ROWS
            # the hub's batch messages reached the worker's queue too: routed again, as dups
            done = worker.finish()
            assert (done.routed, done.events) == (ROWS // BATCH, ROWS)
            after = _routing_tables(worker.router.db)
        finally:
            worker.router.db.dispose()
        # the tick may only have delivered what was due; what routing recorded is the same
        assert {k: v for k, v in after.items() if k != "audit"} == {
            k: v for k, v in before.items() if k != "audit"
        }
        assert after["audit"] >= before["audit"]


def test_a_once_run_names_the_routing_queue_left_waiting_and_the_command_that_routes_it(
    tmp_path: Path,
) -> None:
    from hub.cli.app import app

    config, args = _hub(tmp_path, [])
    left = routing_worker(load_settings(config))
    left.declare()  # by a routing worker, or by a run of an earlier release
    left.router.db.dispose()
    result = CliRunner().invoke(app, [a for a in args if a != "--json"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert f"routing: {ROWS // BATCH:,} bus message(s) wait in the routing queue" in said
    assert "crossdock routing run --once --config" in said


def test_no_wait_routing_is_kept_for_scripts_and_says_it_does_nothing(tmp_path: Path) -> None:
    from hub.cli.app import app

    config, args = _hub(tmp_path, [])
    human = [a for a in args if a != "--json"]
    result = CliRunner().invoke(app, [*human, "--no-wait-routing"])
    assert result.exit_code == 0, result.output
    assert "--no-wait-routing does nothing now" in result.stderr
    assert f"routing: {ROWS:,} event(s) routed as they were published" in result.stderr
    assert not _routing_queue_exists(config)
