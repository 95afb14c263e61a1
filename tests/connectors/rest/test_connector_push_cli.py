"""``crossdock connector push``: events from the embedded bus to a REST sink on uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from canonical import InventoryAdjustedV1, wrap_event
from hub.bus.publisher import ConfirmedPublisher
from hub.cli.app import app
from hub.config import load_settings
from hub.connector_bus import HubEventBus
from hub.database import connect
from hub.deadletter import DeadLetterService
from tests.connectors.rest.peer import PeerState, build_peer
from tests.connectors.rest.server import serve

runner = CliRunner()


@pytest.fixture
def peer() -> Iterator[tuple[str, PeerState]]:
    peer_app, state = build_peer()
    with serve(peer_app) as url:
        yield url, state


def _count(sku: str, subject: str) -> object:
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": "S001",
            "sku": sku,
            "counted_quantity": {"value": "4", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-23T08:00:00Z",
        }
    )
    return wrap_event(
        data, id=f"evt-{sku}", source="crossdock://test", subject=subject, time=datetime.now(UTC)
    )


def test_push_delivers_the_queued_events_and_dead_letters_a_refused_one(
    tmp_path: Path, peer: tuple[str, PeerState]
) -> None:
    url, state = peer
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "connector_instances": [
                    {"name": "erp", "connector": "rest-push", "config": {"base_url": url}}
                ],
            }
        )
    )
    args = ["connector", "push", "erp", "-c", str(config), "--idle-timeout", "0.3"]
    first = runner.invoke(app, args)  # declares the sink's durable queue
    assert first.exit_code == 0, first.output
    settings = load_settings(config)
    engine = connect(settings.resolved_database_url)
    bus = HubEventBus(ConfirmedPublisher(settings.resolved_bus_url), engine)
    bus.publish([_count("A", "S001"), _count("B", "refuse-me"), _count("C", "S001")])  # type: ignore[list-item]
    bus.close()

    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 events written, 1 dead letters" in result.output
    assert sorted(e["id"] for e in state.received) == ["evt-A", "evt-C"]
    letters = DeadLetterService(engine).list()
    assert [(d.location, d.stage, d.connector) for d in letters] == [("evt-B", "write", "erp")]
    again = runner.invoke(app, args)  # acked: nothing is delivered twice
    assert "0 events written" in again.output
    engine.dispose()


def test_read_of_a_sink_and_push_of_a_source_exit_2_naming_the_instance(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "connector_instances": [
                    {"name": "erp", "connector": "rest-push", "config": {"base_url": "http://x"}},
                    # the kind is checked before the config is read: no valid config needed
                    {"name": "partner", "connector": "rest", "config": {}},
                ],
            }
        )
    )
    read = runner.invoke(app, ["connector", "read", "erp", "-c", str(config)])
    assert read.exit_code == 2
    assert "erp (rest-push) is not a source" in read.output
    push = runner.invoke(app, ["connector", "push", "partner", "-c", str(config)])
    assert push.exit_code == 2
    assert "partner (rest) is not a sink" in push.output
