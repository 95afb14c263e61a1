"""A running hub polls its SDK sources: a real REST peer read on schedule, resumed by state."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from rich.console import Console

from connectors.rest.source import RestSource
from connectors.sdk.errors import TransientConnectorError
from connectors.sdk.runner import RunOutcome
from hub.bus import EventConsumer, event_queue
from hub.cli.app import app
from hub.cli.connector import failure_line
from hub.config import Settings, load_settings
from hub.connector_state import ConnectorStateStore
from hub.database import connect
from hub.errors import ConfigError
from hub.retry import DEFAULT_TABLE
from hub.source_poller import DEFAULT_POLL_EVERY, PolledSource, SourcePoller
from tests.connectors.rest.peer import ITEMS, PeerState, build_peer, link_source_instance
from tests.connectors.rest.server import serve

runner = CliRunner()


@pytest.fixture
def peer() -> Iterator[tuple[str, PeerState]]:
    peer_app, state = build_peer()
    with serve(peer_app) as url:
        yield url, state


def _run_until(poller: SourcePoller, done: Callable[[], bool]) -> None:
    """Run ``poller`` in its own thread, as ``crossdock run`` does, until ``done()`` (30 s at
    most); then stop it and check that it stopped."""
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), kwargs={"tick": 0.05})
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not done():
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_run_once_reads_each_pollable_source_then_resumes_from_its_state(
    tmp_path: Path, peer: tuple[str, PeerState]
) -> None:
    url, state = peer
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "inbox": str(tmp_path / "inbox"),
                "connector_instances": [
                    # a REST partner may push (a webhook source), so reading it is opt-in
                    link_source_instance("partner", url, poll_every=60),
                    link_source_instance("pushes", url),
                    # opted out: `crossdock connector read` only
                    link_source_instance("manual", url, poll_every=0),
                    {"name": "out", "connector": "rest-push", "config": {"base_url": url}},
                ],
            }
        )
    )
    settings = load_settings(config)
    (tmp_path / "var").mkdir()
    (tmp_path / "inbox").mkdir()
    consumer = EventConsumer(
        settings.resolved_bus_url, event_queue(f"poll-{uuid.uuid4().hex[:8]}", ["retail.#"])
    )
    consumer.declare()
    args = ["run", "--once", "--no-api", "--no-routing", "-c", str(config)]

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "polling partner (every 60 s)" in first.output
    for silent in ("pushes", "manual", "out ("):
        assert silent not in first.output
    assert f"{len(ITEMS)} event(s) published" in first.output
    got: list[dict[str, Any]] = []
    consumer.drain(got.extend, idle_timeout=0.3, max_seconds=10)
    assert sorted(e["subject"] for e in got) == sorted(str(i["id"]) for i in ITEMS)
    hits = state.hits["link"]

    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert state.hits["link"] == hits + 1  # one request: only items after the stored cursor
    more: list[dict[str, Any]] = []
    consumer.drain(more.extend, idle_timeout=0.3, max_seconds=10)
    assert more == []


def test_the_poller_reads_each_source_again_whenever_it_is_due(
    tmp_path: Path, peer: tuple[str, PeerState]
) -> None:
    url, state = peer
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [link_source_instance("partner", url, poll_every=0.2)],
        }
    )
    engine = connect(settings.resolved_database_url)
    reports: list[RunOutcome | Exception] = []
    poller = SourcePoller(settings, engine, lambda _s, outcome: reports.append(outcome))
    _run_until(poller, lambda: len(reports) >= 3)
    engine.dispose()
    assert len(reports) >= 3, reports
    first, *later = reports
    assert isinstance(first, RunOutcome), first
    assert first.published == len(ITEMS)
    # each later read starts from the stored cursor: nothing new, one request each
    assert all(isinstance(o, RunOutcome) for o in later), later
    assert [o.published for o in later if isinstance(o, RunOutcome)] == [0] * len(later)
    assert state.hits["link"] >= 3


def test_a_failed_read_is_reported_with_its_verdict_and_due_again(tmp_path: Path) -> None:
    # nothing listens on port 9: the read fails after the connector's own retries
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                link_source_instance("down", "http://127.0.0.1:9", poll_every=30)
            ],
        }
    )
    engine = connect(settings.resolved_database_url)
    reports: list[tuple[PolledSource, RunOutcome | Exception]] = []
    poller = SourcePoller(settings, engine, lambda s, o: reports.append((s, o)))
    before = time.monotonic()
    assert poller.poll_due() == 1
    assert poller.poll_due() == 0  # not due again for 30 s
    engine.dispose()
    [(polled, failure)] = reports
    assert isinstance(failure, TransientConnectorError), failure
    assert (
        polled.connector.decision_table(DEFAULT_TABLE).decide(failure).failure.value == "transient"
    )
    assert polled.due >= before + 30


def test_a_source_with_a_broken_configuration_stops_the_hub_at_start(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                {"name": "partner", "connector": "rest", "config": {}, "poll_every": 60}
            ],
        }
    )
    with pytest.raises(ConfigError, match="connector instance 'partner'"):
        SourcePoller(settings, connect(settings.resolved_database_url), lambda s, o: None)


def test_a_failing_report_does_not_stop_the_polling(
    tmp_path: Path, peer: tuple[str, PeerState]
) -> None:
    url, _ = peer
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [link_source_instance("partner", url, poll_every=0.1)],
        }
    )
    engine = connect(settings.resolved_database_url)
    calls: list[RunOutcome | Exception] = []

    def report(_polled: PolledSource, outcome: RunOutcome | Exception) -> None:
        calls.append(outcome)
        if len(calls) == 1:
            raise RuntimeError("the report itself broke")

    poller = SourcePoller(settings, engine, report)
    _run_until(poller, lambda: len(calls) >= 3)
    engine.dispose()
    assert len(calls) >= 3  # polling went on after the report raised


def test_a_connector_that_cannot_be_built_stops_the_hub_naming_the_instance(
    tmp_path: Path,
) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                {
                    "name": "drop",
                    "connector": "sftp",
                    "config": {
                        "host": "127.0.0.1",
                        "username": "u",
                        "password": "p",
                        "known_hosts": str(known_hosts),
                        # the constructor loads the spec: not a config-model error
                        "mapping": str(tmp_path / "missing.yaml"),
                    },
                }
            ],
        }
    )
    with pytest.raises(ConfigError, match=r"connector instance 'drop'.*missing\.yaml"):
        SourcePoller(settings, connect(settings.resolved_database_url), lambda s, o: None)


def test_run_once_exits_1_when_a_source_read_failed(tmp_path: Path) -> None:
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "inbox": str(tmp_path / "inbox"),
                # nothing listens on port 9
                "connector_instances": [
                    link_source_instance("down", "http://127.0.0.1:9", poll_every=30)
                ],
            }
        )
    )
    (tmp_path / "inbox").mkdir()
    result = runner.invoke(app, ["run", "--once", "--no-api", "--no-routing", "-c", str(config)])
    assert result.exit_code == 1, result.output
    assert "source down failed" in result.output
    assert "1 source read(s) failed" in result.output


def test_a_failure_line_prints_the_error_text_as_it_is_and_the_verdict() -> None:
    console = Console(record=True, width=200)
    error = RuntimeError("bad path [/var/data] ids[/0]")  # rich would read [/…] as markup
    console.print(failure_line("source x", RestSource, error))
    assert console.export_text().strip() == (
        "source x failed (system, dead_letter): bad path [/var/data] ids[/0]"
    )


def test_pull_sources_are_polled_by_default_and_webhook_sources_only_when_asked(
    tmp_path: Path,
) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    sftp = {"host": "127.0.0.1", "username": "u", "password": "p", "known_hosts": str(known_hosts)}
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                {"name": "drop", "connector": "sftp", "config": sftp},
                {"name": "quiet-drop", "connector": "sftp", "config": sftp, "poll_every": 0},
                link_source_instance("pushes", "http://127.0.0.1:9"),
                link_source_instance("pulled", "http://127.0.0.1:9", poll_every=5),
            ],
        }
    )
    poller = SourcePoller(settings, connect(settings.resolved_database_url), lambda s, o: None)
    assert [(s.name, s.every) for s in poller.sources] == [
        ("drop", DEFAULT_POLL_EVERY),
        ("pulled", 5.0),
    ]


def test_stopping_ends_a_read_at_its_next_checkpoint_and_the_next_poll_resumes(
    tmp_path: Path, peer: tuple[str, PeerState], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state = peer
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                link_source_instance("partner", url, poll_every=60),
                link_source_instance("second", url, poll_every=60),
            ],
        }
    )
    engine = connect(settings.resolved_database_url)
    reports: list[RunOutcome | Exception] = []
    poller = SourcePoller(settings, engine, lambda _s, outcome: reports.append(outcome))
    stop = threading.Event()
    save = ConnectorStateStore.save

    def save_then_stop(self: ConnectorStateStore, instance: str, saved: Any) -> None:
        save(self, instance, saved)
        stop.set()  # the hub is told to stop while the first page's state is being saved

    monkeypatch.setattr(ConnectorStateStore, "save", save_then_stop)
    assert poller.poll_due(stop) == 1  # the second source is not started
    monkeypatch.undo()
    (first,) = reports
    assert isinstance(first, RunOutcome), first
    assert first.stopped
    assert (first.checkpoints, first.published, state.hits["link"]) == (1, 3, 1)

    for polled in poller.sources:
        polled.due = 0.0
    assert poller.poll_due(threading.Event()) == 2
    engine.dispose()
    resumed, second = reports[1:]
    assert isinstance(resumed, RunOutcome), resumed
    assert isinstance(second, RunOutcome), second
    assert not resumed.stopped
    assert resumed.published == len(ITEMS) - 3  # from the saved cursor on
    assert second.published == len(ITEMS)
