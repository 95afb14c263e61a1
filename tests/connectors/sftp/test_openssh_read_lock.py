"""Read locks against OpenSSH through every path that reads a source: each builds a new source
object per read, so a lock's memory must live in the stored state (a memory kept in the object
saw one poll each time: `stable-size` never read a file through the CLI or the hub)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from connectors.sdk.runner import RunOutcome
from connectors.sftp.openssh import OpenSshServer
from hub.bus import EventConsumer, event_queue
from hub.cli.app import app
from hub.config import Settings, load_settings
from hub.database import connect
from hub.source_poller import PolledSource, SourcePoller
from tests.connectors.sftp.data import HEADER, rows

runner = CliRunner()
ROWS = 40
BODY = HEADER + rows(ROWS)


def _hub_config(tmp_path: Path, settings: dict[str, Any], **instance: Any) -> Path:
    config = tmp_path / "crossdock.yaml"
    (tmp_path / "files").mkdir(exist_ok=True)
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "inbox": str(tmp_path / "files"),
                "connector_instances": [
                    {"name": "drop", "connector": "sftp", "config": settings, **instance}
                ],
            }
        )
    )
    return config


def _consumer(config: Path) -> EventConsumer:
    settings = load_settings(config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    consumer = EventConsumer(
        settings.resolved_bus_url, event_queue(f"sftp-{uuid.uuid4().hex[:8]}", ["retail.#"])
    )
    consumer.declare()
    return consumer


def _drain(consumer: EventConsumer) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    consumer.drain(got.extend, idle_timeout=0.3, max_seconds=10)
    return got


def _complete(openssh: OpenSshServer, read_lock: str) -> None:
    """The partner finishes its upload: nothing to do for stable-size, the marker for marker."""
    if read_lock == "marker":
        openssh.put("inbox/count.csv.ready", b"")


@pytest.mark.parametrize("read_lock", ["stable-size", "marker"])
def test_connector_read_takes_a_complete_file_at_the_second_read(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    tmp_path: Path,
    read_lock: str,
) -> None:
    config = _hub_config(tmp_path, openssh_settings(read_lock=read_lock), poll_every=0)
    consumer = _consumer(config)
    openssh.put("inbox/count.csv", BODY)
    read = ["connector", "read", "drop", "-c", str(config)]

    first = runner.invoke(app, read)
    assert first.exit_code == 0, first.output
    assert "0 events published" in first.output  # first sight: not known to be complete
    _complete(openssh, read_lock)
    second = runner.invoke(app, read)
    assert second.exit_code == 0, second.output
    assert f"{ROWS} events published" in second.output
    assert len({e["id"] for e in _drain(consumer)}) == ROWS
    third = runner.invoke(app, read)  # the outcome is durable: the file leaves the inbox
    assert third.exit_code == 0, third.output
    assert "0 events published" in third.output
    assert not openssh.local("inbox", "count.csv").exists()
    assert openssh.local("inbox", "done", "count.csv").read_bytes() == BODY
    assert _drain(consumer) == []


@pytest.mark.parametrize("read_lock", ["stable-size", "marker"])
def test_crossdock_run_once_takes_a_complete_file_at_the_second_run(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    tmp_path: Path,
    read_lock: str,
) -> None:
    config = _hub_config(tmp_path, openssh_settings(read_lock=read_lock), poll_every=60)
    consumer = _consumer(config)
    openssh.put("inbox/count.csv", BODY)
    run = ["run", "--once", "--no-api", "--no-routing", "-c", str(config)]

    first = runner.invoke(app, run)
    assert first.exit_code == 0, first.output
    assert "polling drop" in first.output
    assert _drain(consumer) == []
    _complete(openssh, read_lock)
    second = runner.invoke(app, run)
    assert second.exit_code == 0, second.output
    assert f"{ROWS} event(s) published" in second.output
    assert len({e["id"] for e in _drain(consumer)}) == ROWS


@pytest.mark.parametrize("read_lock", ["stable-size", "marker"])
def test_the_hubs_poller_reads_a_complete_file_once_and_settles_it(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    tmp_path: Path,
    read_lock: str,
) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                {
                    "name": "drop",
                    "connector": "sftp",
                    "config": openssh_settings(read_lock=read_lock),
                    "poll_every": 0.1,
                }
            ],
        }
    )
    engine = connect(settings.resolved_database_url)
    consumer = EventConsumer(
        settings.resolved_bus_url, event_queue(f"poll-{uuid.uuid4().hex[:8]}", ["retail.#"])
    )
    consumer.declare()
    openssh.put("inbox/count.csv", BODY)
    _complete(openssh, read_lock)
    reports: list[RunOutcome | Exception] = []

    def report(_polled: PolledSource, outcome: RunOutcome | Exception) -> None:
        reports.append(outcome)

    stop = threading.Event()
    poller = SourcePoller(settings, engine, report)
    thread = threading.Thread(target=poller.run, args=(stop,), kwargs={"tick": 0.05})
    thread.start()
    done = openssh.local("inbox", "done", "count.csv")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not done.exists():
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    engine.dispose()
    assert done.exists(), reports
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sum(r.published for r in reports if isinstance(r, RunOutcome)) == ROWS
    assert len({e["id"] for e in _drain(consumer)}) == ROWS
