"""End to end: a partner's SFTP folder → the SFTP source → the hub's confirmed bus and dead letters.

The connection drops mid-download; the runner retries, the transfer resumes, and the consumer
on the real bus (embedded, and RabbitMQ with PostgreSQL) sees every event exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import run_source
from connectors.sftp.config import SftpConfig
from connectors.sftp.source import SftpSource, SftpSourceConfig
from connectors.sftp.testing import LocalSftpServer
from hub.connector_bus import HubEventBus
from hub.retry import DEFAULT_TABLE
from hub.runtime import Hub
from tests.connectors.sftp.data import HEADER, MALFORMED_ROW, rows
from tests.hub.conftest import HubEnv, hub_env  # noqa: F401  # the fixture, shared

ROWS = 3000


# paramiko's prefetch thread may also meet the dropped socket and report it on its own thread
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_sftp_file_reaches_the_bus_once_despite_a_dropped_connection(
    hub_env: HubEnv,  # noqa: F811
    make_config: Callable[..., SftpConfig],
    sftp_server: LocalSftpServer,
    sftp_root: Path,
    tmp_path: Path,
) -> None:
    body = HEADER + rows(1500) + MALFORMED_ROW + rows(ROWS - 1500, start=1500)
    inbox = sftp_root / "inbox"
    (inbox / "count.csv").write_bytes(body)
    (inbox / "count.csv.ready").write_bytes(b"")
    values = make_config().model_dump()
    values.update(spool_dir=tmp_path / "spool", read_lock="marker", checkpoint_rows=1000)
    sftp_server.drop_once_after(len(body) // 3)
    with Hub(hub_env.settings) as hub:
        bus = HubEventBus(hub.publisher, hub.engine)
        with SftpSource(SftpSourceConfig.model_validate(values)) as source:
            first = run_source(source, bus, table=DEFAULT_TABLE, sleep=lambda _s: None)
            assert (inbox / "count.csv").exists()  # not settled in the run that read it
            run_source(source, bus, first.state, table=DEFAULT_TABLE, sleep=lambda _s: None)
        letters = hub.dead_letters.list()
    assert sftp_server.faults.drops == 1
    assert first.retries == 1
    events: list[dict[str, Any]] = []
    hub_env.consumer.drain(events.extend, idle_timeout=1.0)
    ids = [e["id"] for e in events]
    assert len(ids) == ROWS
    assert len(set(ids)) == ROWS  # once each
    assert {e["type"] for e in events} == {"retail.inventory.adjusted"}
    digest = hashlib.sha256(body).hexdigest()[:12]
    assert [letter.location for letter in letters] == [
        f"sftp://127.0.0.1:{sftp_server.port}/inbox/count.csv@{digest}:line 1502"
    ]
    assert letters[0].payload == MALFORMED_ROW
    assert (inbox / "done" / "count.csv").read_bytes() == body
