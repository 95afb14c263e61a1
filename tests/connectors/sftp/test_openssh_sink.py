"""The SFTP sink against OpenSSH: every batch of a push over one connection, a large batch whole,
and ``.part`` files of batches that never came back cleaned up after ``stale_part_age``."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from canonical import InventoryAdjustedV1, wrap_event
from connectors.sftp.openssh import OpenSshServer
from connectors.sftp.sink import SftpSink, batch_name
from hub.bus.publisher import ConfirmedPublisher
from hub.cli.app import app
from hub.config import load_settings
from hub.connector_bus import HubEventBus
from hub.database import connect

runner = CliRunner()


def _sink_settings(
    openssh: OpenSshServer, settings: Callable[..., dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    openssh.make_dir("outbox")
    values = settings(remote_dir=openssh.remote("outbox"), **overrides)
    values.pop("spool_dir")
    return values


def _count(n: int) -> Any:
    data = InventoryAdjustedV1.model_validate(
        {
            "location_id": "S001",
            "sku": f"SKU-{n:05d}",
            "counted_quantity": {"value": str(n % 40), "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-23T08:00:00Z",
        }
    )
    return wrap_event(
        data, id=f"evt-{n:05d}", source="crossdock://test", subject="S001", time=datetime.now(UTC)
    )


def test_a_push_writes_every_batch_over_one_connection(
    openssh: OpenSshServer, openssh_settings: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "connector_instances": [
                    {
                        "name": "partner-out",
                        "connector": "sftp-out",
                        "config": _sink_settings(openssh, openssh_settings),
                    }
                ],
            }
        )
    )
    push = ["connector", "push", "partner-out", "-c", str(config), "--idle-timeout", "0.5"]
    declare = runner.invoke(app, push)  # declares the sink's durable queue
    assert declare.exit_code == 0, declare.output
    settings = load_settings(config)
    engine = connect(settings.resolved_database_url)
    bus = HubEventBus(ConfirmedPublisher(settings.resolved_bus_url), engine)
    batches = [[_count(10 * b + i) for i in range(3)] for b in range(4)]
    for batch in batches:  # one bus message each: four writes
        bus.publish(batch)
    bus.close()
    engine.dispose()
    logins = openssh.logins()

    result = runner.invoke(app, push)
    assert result.exit_code == 0, result.output
    assert "12 events written, 0 dead letters" in result.output
    assert openssh.logins() - logins == 1  # was one SSH connection (and login) per batch
    outbox = openssh.local("outbox")
    assert sorted(p.name for p in outbox.iterdir()) == sorted(
        batch_name("events-", [e.id for e in batch]) for batch in batches
    )
    written = [json.loads(line)["id"] for p in outbox.iterdir() for line in p.read_bytes().split()]
    assert sorted(written) == sorted(e.id for batch in batches for e in batch)


def test_a_large_batch_arrives_whole_under_its_final_name(
    openssh: OpenSshServer, openssh_settings: Callable[..., dict[str, Any]]
) -> None:
    events = [
        {
            "id": f"evt-{i:06d}",
            "type": "retail.inventory.adjusted",
            "data": {"n": i, "pad": "x" * i},
        }
        for i in range(2500)  # ~3 MB, written as many packet-sized requests across parts
    ]
    with SftpSink.from_config(_sink_settings(openssh, openssh_settings)) as sink:
        report = sink.write(events)
    assert len(report.written) == 2500
    [landed] = openssh.local("outbox").iterdir()
    assert landed.name == batch_name("events-", report.written)
    assert [json.loads(line) for line in landed.read_bytes().splitlines()] == events


def test_stale_part_files_of_this_sink_are_deleted_and_others_kept(
    openssh: OpenSshServer, openssh_settings: Callable[..., dict[str, Any]]
) -> None:
    settings = _sink_settings(openssh, openssh_settings, stale_part_age=3600)
    hours_ago = int(time.time()) - 2 * 3600
    stale = openssh.put("outbox/events-0123456789abcdef0123.jsonl.part", b'{"id":"lost"}\n')
    os.utime(stale, (hours_ago, hours_ago))
    fresh = openssh.put("outbox/events-fedcba9876543210fedc.jsonl.part", b'{"id":"busy"}\n')
    foreign = openssh.put("outbox/prices.csv.part", b"sku,price\n")  # not this sink's
    os.utime(foreign, (hours_ago, hours_ago))
    with SftpSink.from_config(settings) as sink:
        sink.write([{"id": "evt-1", "type": "retail.inventory.adjusted"}])
    names = sorted(p.name for p in openssh.local("outbox").iterdir())
    assert names == sorted([batch_name("events-", ["evt-1"]), fresh.name, foreign.name]), (
        names
    )  # the stale one is gone, the fresh one (a batch in flight) and the partner's stay


def test_a_batch_whose_every_event_is_refused_leaves_no_file(
    openssh: OpenSshServer, openssh_settings: Callable[..., dict[str, Any]]
) -> None:
    with SftpSink.from_config(
        _sink_settings(openssh, openssh_settings, max_event_bytes=10)
    ) as sink:
        report = sink.write([{"id": "evt-1", "type": "retail.inventory.adjusted"}])
    assert report.written == []
    assert [r.location for r in report.rejected] == ["evt-1"]
    assert list(openssh.local("outbox").iterdir()) == []
