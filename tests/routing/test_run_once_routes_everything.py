"""``crossdock run --once`` routes every event it published before it exits, saying how far it
got; ``--no-wait-routing`` leaves them queued and says how many bus messages wait."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hub.bus import EventConsumer, event_queue, events_exchange
from hub.config import load_settings
from hub.routing.worker import RoutingProgress, routing_queue, routing_worker

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
ROWS = 3_000
BATCH = 20  # events per bus message: 150 messages, each routed


def _hub(tmp_path: Path) -> tuple[Path, list[str]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "count.csv").write_text(
        HEADER
        + "".join(
            f"0142,SKU-{i:05d},,{i % 9},{i % 9},2026-11-20T06:05:00Z,m.lopez\n" for i in range(ROWS)
        ),
        encoding="utf-8",
    )
    config = tmp_path / "crossdock.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\nbatch_size: {BATCH}\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    return config, ["run", "--once", "--json", "--inbox", str(inbox), "--config", str(config)]


def _waiting(config: Path) -> int:
    settings = load_settings(config)
    queue = event_queue(
        routing_queue(settings.exchange), ["retail.#"], events_exchange(settings.exchange)
    )
    return EventConsumer(settings.resolved_bus_url, queue).depth()


def test_a_once_run_routes_every_message_it_published_with_a_progress_line(
    tmp_path: Path,
) -> None:
    from hub.cli.app import app

    config, args = _hub(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] == ROWS
    assert f"routing: {ROWS // BATCH:,} bus message(s) routed ({ROWS:,} event(s))" in result.stderr
    assert _waiting(config) == 0


def test_without_waiting_the_run_says_how_many_messages_wait_and_routing_finishes_them(
    tmp_path: Path,
) -> None:
    from hub.cli.app import app

    config, args = _hub(tmp_path)
    result = CliRunner().invoke(app, [*args, "--no-wait-routing"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unrouted_messages"] == ROWS // BATCH
    assert _waiting(config) == ROWS // BATCH
    seen: list[RoutingProgress] = []
    worker = routing_worker(load_settings(config))
    done = worker.finish(
        lambda p: seen.append(RoutingProgress(p.messages, p.routed, p.events)), every=0
    )
    assert (done.messages, done.routed, done.events) == (ROWS // BATCH, ROWS // BATCH, ROWS)
    # the progress line came with every message, counting up to all of them
    assert [p.routed for p in seen[:3]] == [1, 2, 3]
    assert seen[-1].routed == ROWS // BATCH
    assert _waiting(config) == 0
