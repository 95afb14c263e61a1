"""A remote SFTP inbox feeding the hub's file source (CSV's bulk path), onto the real bus."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.sftp.config import SftpConfig
from connectors.sftp.inbox import SftpInbox
from connectors.sftp.testing import LocalSftpServer
from hub.retry import RetryPolicy, retrying
from hub.runtime import Hub
from tests.connectors.sftp.data import HEADER, rows
from tests.hub.conftest import HubEnv, hub_env  # noqa: F401  # the fixture, shared

ROWS = 2000


# paramiko's prefetch thread may also meet the dropped socket and report it on its own thread
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_remote_files_go_through_the_file_pipeline_once(
    hub_env: HubEnv,  # noqa: F811
    make_config: Callable[..., SftpConfig],
    sftp_server: LocalSftpServer,
    sftp_root: Path,
    tmp_path: Path,
) -> None:
    inbox_dir = sftp_root / "inbox"
    body = HEADER + rows(ROWS)
    (inbox_dir / "count.csv").write_bytes(body)
    (inbox_dir / "bad.csv").write_bytes(b"no,header,here\n1,2,3\n")
    policy = RetryPolicy(max_attempts=4, initial_wait=0.01, max_wait=0.05)
    spool = tmp_path / "spool"

    def poll(inbox: SftpInbox, hub: Hub) -> list[str]:
        settled = []
        for remote in inbox.ready():
            fetched = retrying(policy, functools.partial(inbox.fetch, remote))
            try:
                hub.read_file("stock-count", fetched.path)
            except Exception as exc:  # refused whole: the hub keeps the reason
                settled.append(str(inbox.settle(fetched, failed=True, reason=str(exc))))
            else:
                settled.append(str(inbox.settle(fetched)))
        return settled

    sftp_server.drop_once_after(len(body) // 2)
    with Hub(hub_env.settings) as hub, SftpInbox(make_config(), spool) as inbox:
        assert poll(inbox, hub) == []  # first sight: the read lock waits one poll
        moved = poll(inbox, hub)
        assert sorted(moved) == ["/inbox/done/count.csv", "/inbox/failed/bad.csv"]
        # the partner sends the same file again: fetched, recognised, published nothing
        (inbox_dir / "count.csv").write_bytes(body)
        os.utime(inbox_dir / "count.csv", (1_000_000_000, 1_000_000_000))
        poll(inbox, hub)
        assert poll(inbox, hub) == ["/inbox/done/1000000000-count.csv"]
    assert sftp_server.faults.drops == 1
    events: list[dict[str, Any]] = []
    hub_env.consumer.drain(events.extend, idle_timeout=1.0)
    assert len(events) == len({e["id"] for e in events}) == ROWS
    assert "store_id" in (inbox_dir / "failed" / "bad.csv.reason").read_text()
    assert list(spool.rglob("*")) == []  # every spooled download was dropped after settling
