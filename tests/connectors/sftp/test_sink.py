"""The SFTP sink against a real server: a batch appears whole, under its final name, once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.sdk.runner import deliver
from connectors.sdk.testing import StubBus
from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import SftpUnavailable
from connectors.sftp.sink import SftpSink, SftpSinkConfig, batch_name
from connectors.sftp.testing import LocalSftpServer


def _events(n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"evt-{i}", "type": "retail.inventory.adjusted", "data": {"n": i}} for i in range(n)
    ]


def _sink(make_config: Callable[..., SftpConfig], root: Path) -> SftpSink:
    (root / "outbox").mkdir(exist_ok=True)
    values = make_config(remote_dir="/outbox").model_dump()
    return SftpSink(SftpSinkConfig.model_validate(values))


def test_a_batch_is_one_json_lines_file_under_its_final_name(
    make_config: Callable[..., SftpConfig], sftp_root: Path
) -> None:
    events = _events(3)
    report = _sink(make_config, sftp_root).write(events)
    assert report.written == ["evt-0", "evt-1", "evt-2"]
    files = sorted(p.name for p in (sftp_root / "outbox").iterdir())
    assert files == [batch_name("events-", report.written)]  # no .part left behind
    lines = (sftp_root / "outbox" / files[0]).read_bytes().splitlines()
    assert [json.loads(line)["id"] for line in lines] == report.written


def test_a_dropped_upload_leaves_no_final_file_and_the_retry_lands_once(
    make_config: Callable[..., SftpConfig], sftp_server: LocalSftpServer, sftp_root: Path
) -> None:
    sink = _sink(make_config, sftp_root)
    events = _events(2)
    final = sftp_root / "outbox" / batch_name("events-", [e["id"] for e in events])
    sftp_server.drop_next_write()
    failures: list[BaseException] = []

    def on_retry(exc: BaseException, _n: int) -> None:
        failures.append(exc)
        assert not final.exists()  # a partner never sees a half-written batch

    report = deliver(sink, events, StubBus(), sleep=lambda _s: None, on_retry=on_retry)
    assert len(failures) == 1
    assert isinstance(failures[0], SftpUnavailable)
    assert report.written == ["evt-0", "evt-1"]
    assert final.read_bytes().count(b"\n") == 2
    assert sorted(p.name for p in (sftp_root / "outbox").iterdir()) == [final.name]
    # the same batch again replaces the same file instead of adding a second copy
    deliver(sink, events, StubBus(), sleep=lambda _s: None)
    assert sorted(p.name for p in (sftp_root / "outbox").iterdir()) == [final.name]
