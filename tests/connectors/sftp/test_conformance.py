"""The SDK's conformance kit run on the SFTP source and sink, against a real SFTP server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from connectors.sdk import Event
from connectors.sdk.testing import Scenario, SinkConformance, SourceConformance
from connectors.sftp.config import SftpConfig
from connectors.sftp.sink import SftpSink, SftpSinkConfig
from connectors.sftp.source import SftpSource, SftpSourceConfig
from connectors.sftp.testing import LocalSftpServer
from tests.connectors.sftp.data import HEADER, MALFORMED_ROW, rows

#: a fixed mtime: every scenario's file is the same file to the source's state
_MTIME = 1_763_600_000


def _settings(scenario: Scenario, base: SftpConfig, tmp: Path) -> dict[str, Any]:
    values = base.model_dump()
    values.update({"spool_dir": tmp / "spool", "checkpoint_rows": 100, "read_lock": "marker"})
    if scenario is Scenario.BAD_CREDENTIALS:
        values["password"] = "not-the-password"
    if scenario is Scenario.PERMANENT:
        values["remote_dir"] = "/no-such-folder"
    return values


class _Peer:
    server: LocalSftpServer
    root: Path
    base: SftpConfig
    tmp: Path

    @pytest.fixture(autouse=True)
    def _sftp_peer(
        self,
        sftp_server: LocalSftpServer,
        sftp_root: Path,
        make_config: Callable[..., SftpConfig],
        tmp_path: Path,
    ) -> None:
        self.server, self.root, self.base, self.tmp = (
            sftp_server,
            sftp_root,
            make_config(),
            tmp_path,
        )


class TestSftpSourceConformance(_Peer, SourceConformance):
    connector: ClassVar[type[SftpSource]] = SftpSource
    malformed_location = "/inbox/count.csv@"

    def make_source(self, scenario: Scenario) -> SftpSource:
        inbox = self.root / "inbox"
        shutil.rmtree(inbox)
        inbox.mkdir()
        body = HEADER + rows(120) + (MALFORMED_ROW if scenario is Scenario.MALFORMED else b"")
        (inbox / "count.csv").write_bytes(body + rows(130, start=120))
        os.utime(inbox / "count.csv", (_MTIME, _MTIME))
        (inbox / "count.csv.ready").write_bytes(b"")
        if scenario is Scenario.TRANSIENT:
            self.server.drop_once_after(4096)  # the connection breaks during the download
        return SftpSource(SftpSourceConfig.model_validate(_settings(scenario, self.base, self.tmp)))


class TestSftpSinkConformance(_Peer, SinkConformance):
    connector: ClassVar[type[SftpSink]] = SftpSink

    def make_sink(self, scenario: Scenario) -> SftpSink:
        values = _settings(scenario, self.base, self.tmp)
        for key in ("spool_dir", "checkpoint_rows", "read_lock"):
            values.pop(key)
        values["remote_dir"] = "/outbox" if scenario is not Scenario.PERMANENT else "/nowhere"
        (self.root / "outbox").mkdir(exist_ok=True)
        if scenario is Scenario.MALFORMED:
            # the first event is the large one: over the limit, refused for good
            values["max_event_bytes"] = 600
        if scenario is Scenario.TRANSIENT:
            self.server.drop_next_write()  # the connection breaks during the upload
        return SftpSink(SftpSinkConfig.model_validate(values))

    def events(self) -> Sequence[Event]:
        big = {"note": "x" * 800}
        return [
            {
                "id": f"evt-{i}",
                "type": "retail.inventory.adjusted",
                "source": "t",
                **(big if i == 0 else {}),
            }
            for i in range(3)
        ]
