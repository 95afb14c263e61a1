"""After a file is read, against OpenSSH: move, delete or leave it; a refused move; re-sends that
keep their mtime. Every poll builds a new source from the stored state, as the hub does."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from connectors.sdk import State, run_source
from connectors.sdk.testing import StubBus
from connectors.sftp.openssh import OpenSshServer
from connectors.sftp.source import STREAM, SftpSource
from tests.connectors.sftp.data import HEADER, rows

#: a partner's file time, kept by ``put -p`` and WinSCP on every re-send
MTIME = 1_763_600_000


@dataclass
class Poller:
    """Reads the source as ``crossdock connector read`` does: new object, stored JSON state."""

    settings: dict[str, Any]
    bus: StubBus = field(default_factory=StubBus)
    state: State = field(default_factory=State)

    def poll(self) -> int:
        """One read; the number of events it published."""
        before = len(self.bus.events)
        with SftpSource.from_config(self.settings) as source:
            outcome = run_source(source, self.bus, self.state, sleep=lambda _s: None)
        self.state = State.from_json(outcome.state.to_json())
        return len(self.bus.events) - before

    def entries(self) -> list[dict[str, Any]]:
        """What the state remembers of each file."""
        return list((self.state.position(STREAM) or {}).get("seen", {}).values())


@pytest.fixture
def poller(openssh_settings: Callable[..., dict[str, Any]]) -> Callable[..., Poller]:
    def make(**overrides: Any) -> Poller:
        return Poller(openssh_settings(read_lock="marker", **overrides))

    return make


def _send(openssh: OpenSshServer, name: str, body: bytes, mtime: int = MTIME) -> None:
    openssh.put(f"inbox/{name}", body, mtime=mtime)
    openssh.put(f"inbox/{name}.ready", b"")


def test_a_move_refused_by_a_read_only_done_folder_is_recorded_and_other_files_go_on(
    openssh: OpenSshServer, poller: Callable[..., Poller], caplog: pytest.LogCaptureFixture
) -> None:
    openssh.make_dir("inbox", "done", mode=0o555)  # the partner made done/ read-only
    reader = poller()
    _send(openssh, "a.csv", HEADER + rows(3))
    assert reader.poll() == 3
    _send(openssh, "b.csv", HEADER + rows(4, start=3))
    with caplog.at_level(logging.WARNING, logger="connectors.sftp"):
        assert reader.poll() == 4  # the refused move of a.csv did not stop b.csv
    refused = [r.getMessage() for r in caplog.records if "cannot move" in r.getMessage()]
    assert len(refused) == 1
    assert f"cannot move {openssh.remote('inbox', 'a.csv')} to " in refused[0]
    assert "Permission denied" in refused[0]
    [a, _b] = reader.entries()
    assert a["left"] is True
    assert "Permission denied" in a["refused"]
    assert reader.poll() == 0  # neither is read again; b.csv's move is refused too
    assert reader.poll() == 0
    assert sorted(p.name for p in openssh.local("inbox").iterdir()) == [
        "a.csv",
        "a.csv.ready",
        "b.csv",
        "b.csv.ready",
        "done",
    ]
    assert all(e["refused"] for e in reader.entries())
    assert len(set(reader.bus.event_ids)) == 7


def test_leave_reads_a_read_only_drop_once_and_touches_nothing(
    openssh: OpenSshServer, poller: Callable[..., Poller]
) -> None:
    _send(openssh, "a.csv", HEADER + rows(5))
    openssh.make_dir("inbox", mode=0o555)  # a drop where this account may only read
    reader = poller(post_process="leave")
    assert reader.poll() == 5
    assert reader.poll() == 0
    assert reader.poll() == 0
    assert sorted(p.name for p in openssh.local("inbox").iterdir()) == ["a.csv", "a.csv.ready"]
    [entry] = reader.entries()
    assert (entry["settled"], entry["left"], entry["outcome"]) == (True, True, "done")
    assert "refused" not in entry  # left by choice: nothing was tried


def test_delete_removes_a_read_file_and_its_marker_and_keeps_a_refused_one_in_failed(
    openssh: OpenSshServer, poller: Callable[..., Poller]
) -> None:
    _send(openssh, "good.csv", HEADER + rows(2))
    _send(openssh, "bad.csv", b"not,the,header\n1,2,3\n")
    reader = poller(post_process="delete")
    assert reader.poll() == 2
    assert reader.poll() == 0
    inbox = openssh.local("inbox")
    assert sorted(p.name for p in inbox.iterdir()) == ["failed"]
    # refused whole: its dead letter keeps the head only, so the file itself is kept
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == [
        "bad.csv",
        "bad.csv.ready",
        "bad.csv.reason",
    ]
    assert len(reader.bus.dead_letters) == 1


def test_a_resend_that_kept_its_mtime_with_the_same_content_is_settled_as_a_duplicate(
    openssh: OpenSshServer, poller: Callable[..., Poller]
) -> None:
    body = HEADER + rows(6)
    reader = poller()
    _send(openssh, "c.csv", body)
    assert reader.poll() == 6
    assert reader.poll() == 0  # settled: moved to done/
    _send(openssh, "c.csv", body)  # `put -p` of the same file: same name, size and mtime
    assert reader.poll() == 0  # fetched, recognised by its content
    assert reader.poll() == 0
    done = openssh.local("inbox", "done")
    assert not openssh.local("inbox", "c.csv").exists()
    assert (done / f"{MTIME}-c.csv").read_bytes() == body
    assert [e["outcome"] for e in reader.entries()] == ["duplicate"]
    assert len(reader.bus.events) == 6


def test_a_resend_that_kept_its_mtime_and_size_with_new_content_is_read(
    openssh: OpenSshServer, poller: Callable[..., Poller]
) -> None:
    first = HEADER + rows(6)
    second = first.replace(b"m.lopez", b"j.smith")  # corrected counter: same size
    assert len(first) == len(second)
    reader = poller()
    _send(openssh, "c.csv", first)
    assert reader.poll() == 6
    assert reader.poll() == 0
    _send(openssh, "c.csv", second)
    assert reader.poll() == 6  # a new file under the old name, size and mtime
    assert reader.poll() == 0
    assert (openssh.local("inbox", "done", f"{MTIME}-c.csv")).read_bytes() == second
    assert len(set(reader.bus.event_ids)) == 12
    assert {e.data.counted_by for e in reader.bus.events[6:]} == {"j.smith"}


def test_left_in_place_a_file_the_partner_removed_and_sent_again_is_compared_by_content(
    openssh: OpenSshServer, poller: Callable[..., Poller]
) -> None:
    body = HEADER + rows(4)
    reader = poller(post_process="leave")
    _send(openssh, "d.csv", body)
    assert reader.poll() == 4
    openssh.local("inbox", "d.csv").unlink()  # the partner cleans its drop
    assert reader.poll() == 0
    _send(openssh, "d.csv", body)  # and sends the same file again, mtime kept
    assert reader.poll() == 0  # the same content: a duplicate
    assert reader.poll() == 0
    openssh.local("inbox", "d.csv").unlink()
    assert reader.poll() == 0
    _send(openssh, "d.csv", body.replace(b"m.lopez", b"j.smith"))  # a correction, same size
    assert reader.poll() == 4
    assert reader.poll() == 0
    assert len(set(reader.bus.event_ids)) == 8
    assert [e["outcome"] for e in reader.entries()] == ["done"]
