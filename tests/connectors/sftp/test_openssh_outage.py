"""An sshd that is down for 15 s while the hub polls: the read rides through it with capped
backoff (it ended after 5 attempts in ~3 s), then reads the file once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.sdk.runner import RunOutcome
from connectors.sftp.openssh import OpenSshServer
from hub.bus import EventConsumer, event_queue
from hub.config import Settings
from hub.database import connect
from hub.source_poller import PolledSource, SourcePoller
from tests.connectors.sftp.data import HEADER, rows

OUTAGE = 15.0


def test_the_hubs_poller_rides_through_a_15_s_server_outage(
    openssh: OpenSshServer, openssh_settings: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                {
                    "name": "drop",
                    "connector": "sftp",
                    "config": openssh_settings(read_lock="marker"),  # defaults otherwise
                    "poll_every": 60,
                }
            ],
        }
    )
    engine = connect(settings.resolved_database_url)
    consumer = EventConsumer(
        settings.resolved_bus_url, event_queue(f"outage-{uuid.uuid4().hex[:8]}", ["retail.#"])
    )
    consumer.declare()
    openssh.put("inbox/count.csv", HEADER + rows(25))
    openssh.put("inbox/count.csv.ready", b"")
    reports: list[RunOutcome | Exception] = []

    def report(_polled: PolledSource, outcome: RunOutcome | Exception) -> None:
        reports.append(outcome)

    openssh.stop()  # the partner restarts its server as the hub polls
    back = threading.Timer(OUTAGE, openssh.start)
    back.start()
    started = time.monotonic()
    try:
        assert SourcePoller(settings, engine, report).poll_due() == 1
    finally:
        back.join()
        engine.dispose()
    took = time.monotonic() - started
    [outcome] = reports
    assert isinstance(outcome, RunOutcome), outcome
    assert took >= OUTAGE
    assert outcome.retries >= 5  # the SDK's default gave up at the fifth attempt
    assert outcome.published == 25
    got: list[dict[str, Any]] = []
    consumer.drain(got.extend, idle_timeout=0.3, max_seconds=10)
    assert len({e["id"] for e in got}) == 25
