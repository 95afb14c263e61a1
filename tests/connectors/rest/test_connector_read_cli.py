"""``crossdock connector read``: a REST source polled into the embedded bus, resumed by state."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hub.bus import EventConsumer, event_queue
from hub.cli.app import app
from hub.config import load_settings
from tests.connectors.rest.peer import ITEMS, PeerState, build_peer, write_link_config
from tests.connectors.rest.server import serve

runner = CliRunner()


@pytest.fixture
def peer() -> Iterator[tuple[str, PeerState]]:
    peer_app, state = build_peer()
    with serve(peer_app) as url:
        yield url, state


def test_read_publishes_every_item_once_and_a_second_run_reads_nothing_new(
    tmp_path: Path, peer: tuple[str, PeerState]
) -> None:
    url, state = peer
    config = write_link_config(tmp_path, url)
    settings = load_settings(config)
    consumer = EventConsumer(
        settings.resolved_bus_url, event_queue(f"read-{uuid.uuid4().hex[:8]}", ["retail.#"])
    )
    consumer.declare()
    got: list[dict[str, Any]] = []

    first = runner.invoke(app, ["connector", "read", "partner", "-c", str(config)])
    assert first.exit_code == 0, first.output
    consumer.drain(got.extend, idle_timeout=0.3, max_seconds=10)
    assert sorted(e["subject"] for e in got) == sorted(str(i["id"]) for i in ITEMS)
    hits = state.hits["link"]

    again = runner.invoke(app, ["connector", "read", "partner", "-c", str(config)])
    assert again.exit_code == 0, again.output
    assert "0 events published" in again.output
    assert state.hits["link"] == hits + 1  # one request: only items after the last id
    more: list[dict[str, Any]] = []
    consumer.drain(more.extend, idle_timeout=0.3, max_seconds=10)
    assert more == []
