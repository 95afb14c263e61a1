"""The SFTP source end to end against a real SFTP server: read lock, settle, drops, re-sends."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import State, run_source
from connectors.sdk.testing import StubBus
from connectors.sftp.source import SftpSource, SftpSourceConfig
from connectors.sftp.testing import LocalSftpServer
from tests.connectors.sftp.data import HEADER, MALFORMED_ROW, rows


@pytest.fixture
def make_source(make_config: Callable[..., Any], tmp_path: Path) -> Callable[..., SftpSource]:
    def make(**overrides: Any) -> SftpSource:
        base = make_config().model_dump()
        base.update({"spool_dir": tmp_path / "spool", "checkpoint_rows": 100, **overrides})
        return SftpSource(SftpSourceConfig.model_validate(base))

    return make


def _no_sleep(_s: float) -> None:
    pass


def test_a_file_still_being_written_is_not_read_early(
    make_source: Callable[..., SftpSource], sftp_root: Path
) -> None:
    path = sftp_root / "inbox" / "count.csv"
    path.write_bytes(HEADER + rows(10))  # the partner's upload has only begun
    bus = StubBus()
    with make_source() as source:
        first = run_source(source, bus, sleep=_no_sleep)
        assert bus.events == []  # first sight: not known to be complete
        with path.open("ab") as fh:  # the upload goes on between two polls
            fh.write(rows(15, start=10))
        os.utime(path, (path.stat().st_mtime + 2, path.stat().st_mtime + 2))
        second = run_source(source, bus, first.state, sleep=_no_sleep)
        assert bus.events == []  # it grew since the last poll: still not complete
        third = run_source(source, bus, second.state, sleep=_no_sleep)
    assert len(bus.events) == 25  # the whole file, once complete, and only then
    assert path.exists()  # not moved yet: its outcome became durable only with this state
    with make_source() as source:
        run_source(source, bus, third.state, sleep=_no_sleep)
    assert not path.exists()
    assert (sftp_root / "inbox" / "done" / "count.csv").read_bytes().startswith(HEADER)
    assert len(bus.events) == 25


def test_marker_lock_waits_for_the_marker(
    make_source: Callable[..., SftpSource], sftp_root: Path
) -> None:
    inbox = sftp_root / "inbox"
    (inbox / "m.csv").write_bytes(HEADER + rows(3))
    bus = StubBus()
    with make_source(read_lock="marker") as source:
        state = run_source(source, bus, sleep=_no_sleep).state
        assert bus.events == []
        (inbox / "m.csv.ready").write_bytes(b"")
        state = run_source(source, bus, state, sleep=_no_sleep).state
        assert len(bus.events) == 3
        run_source(source, bus, state, sleep=_no_sleep)
    assert (inbox / "done" / "m.csv").exists()
    assert (inbox / "done" / "m.csv.ready").exists()


# paramiko's prefetch thread also meets the dropped socket and reports it on its own thread
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_server_drop_mid_transfer_is_retried_and_events_published_once(
    make_source: Callable[..., SftpSource],
    sftp_server: LocalSftpServer,
    sftp_root: Path,
) -> None:
    body = HEADER + rows(20_000)  # ~1.2 MB
    (sftp_root / "inbox" / "big.csv").write_bytes(body)
    (sftp_root / "inbox" / "big.csv.ready").write_bytes(b"")
    bus = StubBus()
    sftp_server.drop_once_after(len(body) // 2)
    with make_source(read_lock="marker", checkpoint_rows=5000) as source:
        outcome = run_source(source, bus, sleep=_no_sleep)
    assert sftp_server.faults.drops == 1
    # one drop, so one retry; closing the dropped session's file handle may raise too (EOF),
    # which the table also retries: what must hold is that the file finishes once
    assert 1 <= outcome.retries <= 2
    assert len(bus.events) == 20_000
    assert len(set(bus.event_ids)) == 20_000  # finished once: no event twice
    assert not bus.dead_letters


def test_a_malformed_row_is_a_dead_letter_and_a_refused_file_goes_to_failed(
    make_source: Callable[..., SftpSource], sftp_root: Path
) -> None:
    inbox = sftp_root / "inbox"
    (inbox / "a.csv").write_bytes(HEADER + rows(2) + MALFORMED_ROW + rows(2, start=2))
    (inbox / "b.csv").write_bytes(b"wrong,header\n1,2\n")
    for name in ("a.csv", "b.csv"):
        (inbox / f"{name}.ready").write_bytes(b"")
    bus = StubBus()
    with make_source(read_lock="marker") as source:
        state = run_source(source, bus, sleep=_no_sleep).state
        run_source(source, bus, state, sleep=_no_sleep)
    assert len(bus.events) == 4
    locations = sorted(d.location for d in bus.dead_letters)
    assert re.search(r"/inbox/a\.csv@[0-9a-f]{12}:line 4$", locations[0])
    assert re.search(r"/inbox/b\.csv@[0-9a-f]{12}:line 1$", locations[1])
    assert bus.dead_letters[0].payload  # the original bytes travel with the letter
    assert (inbox / "done" / "a.csv").exists()
    assert (inbox / "failed" / "b.csv").exists()
    assert "store_id" in (inbox / "failed" / "b.csv.reason").read_text()


def test_a_re_sent_identical_file_is_not_read_twice(
    make_source: Callable[..., SftpSource], sftp_root: Path
) -> None:
    inbox = sftp_root / "inbox"
    content = HEADER + rows(5)
    (inbox / "c.csv").write_bytes(content)
    (inbox / "c.csv.ready").write_bytes(b"")
    bus = StubBus()
    with make_source(read_lock="marker") as source:
        state = run_source(source, bus, sleep=_no_sleep).state
        state = run_source(source, bus, state, sleep=_no_sleep).state  # settles c.csv
        assert (inbox / "done" / "c.csv").exists()
        (inbox / "c.csv").write_bytes(content)  # the partner sends it again (new mtime)
        os.utime(inbox / "c.csv", (1_000_000_000, 1_000_000_000))
        (inbox / "c.csv.ready").write_bytes(b"")
        state = run_source(source, bus, state, sleep=_no_sleep).state
        run_source(source, bus, state, sleep=_no_sleep)
    assert len(bus.events) == 5  # same path, size and sha256: a copy, not new stock counts
    assert (inbox / "done" / "1000000000-c.csv").exists()


def test_state_survives_json_and_a_new_process(
    make_source: Callable[..., SftpSource], sftp_root: Path
) -> None:
    inbox = sftp_root / "inbox"
    (inbox / "d.csv").write_bytes(HEADER + rows(250))
    (inbox / "d.csv.ready").write_bytes(b"")
    first, second = StubBus(), StubBus()
    stored: list[bytes] = []
    with make_source(read_lock="marker") as source:
        run_source(
            source, first, on_checkpoint=lambda s: stored.append(s.to_json()), sleep=_no_sleep
        )
    # a restart after the first checkpoint (100 rows durable) resumes at row 101
    resumed = State.from_json(stored[0])
    with make_source(read_lock="marker") as source:
        run_source(source, second, resumed, sleep=_no_sleep)
    assert first.event_ids[:100] + second.event_ids == first.event_ids
