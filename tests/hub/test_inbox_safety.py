"""Only regular files inside the inbox are read: links, FIFOs and devices are refused unopened."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from connectors.errors import RecordError
from connectors.sdk import name_matches
from hub.config import Settings
from hub.errors import ConfigError
from hub.inbox import Inbox
from hub.runtime import Hub, HubRun
from tests.hub.conftest import HubEnv
from tests.hub.test_poison_files import _Collected, _letters

SECRET = b"root:$6$not-for-a-dead-letter:19000:0:99999:7:::\n"


def _two_polls(inbox: Inbox) -> list[Path]:
    inbox.ready()
    return inbox.ready()


def test_a_link_out_of_the_inbox_is_moved_aside_unread(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_bytes(SECRET)
    inbox = Inbox(tmp_path / "inbox", "*.csv")
    inbox.root.mkdir()
    (inbox.root / "s.csv").symlink_to(secret)
    assert _two_polls(inbox) == []
    (refused,) = inbox.take_refused()
    assert inbox.take_refused() == []  # handed out once
    assert "symbolic link" in refused.reason
    assert str(secret) in refused.reason
    assert SECRET.decode() not in refused.reason
    assert refused.moved == inbox.failed / "s.csv"
    assert refused.moved.is_symlink()  # the link itself moved, its target untouched
    assert secret.read_bytes() == SECRET
    assert not os.path.lexists(inbox.root / "s.csv")


def test_a_link_inside_the_inbox_is_read_only_when_allowed(tmp_path: Path) -> None:
    inbox_dir = tmp_path / "inbox"
    (inbox_dir / "parts").mkdir(parents=True)
    (inbox_dir / "parts" / "real.dat").write_text("store_id\n", encoding="utf-8")
    (inbox_dir / "l.csv").symlink_to(inbox_dir / "parts" / "real.dat")
    allowed = Inbox(inbox_dir, "*.csv", follow_symlinks_inside=True)
    assert _two_polls(allowed) == [inbox_dir / "l.csv"]
    assert allowed.take_refused() == []

    (tmp_path / "out.dat").write_text("x\n", encoding="utf-8")
    (inbox_dir / "o.csv").symlink_to(tmp_path / "out.dat")
    (inbox_dir / "dangling.csv").symlink_to(inbox_dir / "nothing")
    assert _two_polls(allowed) == [inbox_dir / "l.csv"]
    assert sorted(r.path.name for r in allowed.take_refused()) == ["dangling.csv", "o.csv"]

    strict = Inbox(inbox_dir, "*.csv")
    assert _two_polls(strict) == []
    assert [r.path.name for r in strict.take_refused()] == ["l.csv"]


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.csv")
    inbox.root.mkdir()
    os.mkfifo(inbox.root / "f.csv")
    polled: list[list[Path]] = []
    # opened, a FIFO without a writer would block this thread for ever
    worker = threading.Thread(target=lambda: polled.append(_two_polls(inbox)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "polling the inbox hung on a FIFO"
    assert polled == [[]]
    (refused,) = inbox.take_refused()
    assert "FIFO" in refused.reason
    assert stat.S_ISFIFO(os.lstat(inbox.failed / "f.csv").st_mode)


def test_a_device_is_refused(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.csv")
    inbox.root.mkdir()
    try:
        os.mknod(inbox.root / "null.csv", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    assert _two_polls(inbox) == []
    (refused,) = inbox.take_refused()
    assert "a device" in refused.reason


def test_an_entry_that_cannot_be_moved_is_reported_once(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.csv")
    inbox.root.mkdir()
    (inbox.root / "s.csv").symlink_to("/etc/shadow")
    inbox.failed.write_text("a file where failed/ should be", encoding="utf-8")
    assert _two_polls(inbox) == []
    (refused,) = inbox.take_refused()
    assert refused.moved is None
    assert "Not moved" in refused.reason
    assert _two_polls(inbox) == []
    assert inbox.take_refused() == []


def test_the_inbox_setting_takes_a_folder_or_its_options(tmp_path: Path) -> None:
    plain = Settings.model_validate({"inbox": str(tmp_path)})
    assert (plain.inbox, plain.inbox_follow_symlinks_inside) == (tmp_path, False)
    both = Settings.model_validate(
        {"inbox": {"path": str(tmp_path), "follow_symlinks_inside": True}}
    )
    assert (both.inbox, both.inbox_follow_symlinks_inside) == (tmp_path, True)
    with pytest.raises(ValueError, match="follow_links"):
        Settings.model_validate({"inbox": {"path": str(tmp_path), "follow_links": True}})


def test_the_hub_never_stores_what_a_link_points_at(hub_env: HubEnv, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_bytes(SECRET)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "s.csv").symlink_to(secret)
    os.mkfifo(inbox / "f.csv")
    settings = hub_env.settings.model_copy(update={"inbox": inbox})
    totals = HubRun(settings, _Collected(), once=True, poll=0.05).run()
    assert totals.failed_files == 2
    letters = {Path(row.source).name: row for row in _letters(hub_env)}
    assert sorted(letters) == ["f.csv", "s.csv"]
    for letter in letters.values():
        assert letter.payload == b""
        assert b"not-for-a-dead-letter" not in (letter.reason or "").encode()
    assert "symbolic link" in letters["s.csv"].reason


def test_a_file_swapped_for_a_fifo_or_gone_after_listing_is_refused_unopened(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.csv")
    inbox.root.mkdir()
    (inbox.root / "a.csv").write_text("store_id\n", encoding="utf-8")
    (inbox.root / "b.csv").write_text("store_id\n", encoding="utf-8")
    assert len(_two_polls(inbox)) == 2
    (inbox.root / "a.csv").unlink()
    os.mkfifo(inbox.root / "a.csv")  # swapped after the inbox listed it
    (inbox.root / "b.csv").unlink()  # taken back by its sender
    done: list[object] = []
    with Hub(Settings(data_dir=tmp_path / "data")) as hub:

        def process() -> None:
            for name in ("a.csv", "b.csv"):
                done.append(hub.process_inbox_file(inbox, inbox.root / name, "stock-count"))

        worker = threading.Thread(target=process, daemon=True)
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive(), "the hub opened a FIFO"
        letters = hub.dead_letters.list(status=None)
    fifo, gone = done
    assert isinstance(fifo, RecordError)
    assert "FIFO" in str(fifo)
    assert isinstance(gone, RecordError)
    assert "gone" in str(gone)
    assert stat.S_ISFIFO(os.lstat(inbox.failed / "a.csv").st_mode)
    assert [(Path(row.source).name, row.payload) for row in letters] == [("a.csv", b"")]


def test_a_file_another_hub_moved_first_is_left_and_the_run_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(tmp_path)
    taken = tmp_path / "count.csv"
    taken.write_text("store_id,sku\n1,A\n", encoding="utf-8")
    elsewhere = tmp_path / "other-hub" / "count.csv"
    elsewhere.parent.mkdir()
    taken.rename(elsewhere)  # the other hub settled it between our read and our move

    with caplog.at_level("WARNING", logger="hub.inbox"):
        assert inbox.settle(taken) == taken
    assert "gone from the inbox before it could be moved" in caplog.text
    assert elsewhere.read_text(encoding="utf-8") == "store_id,sku\n1,A\n"
    assert not (tmp_path / "done" / "count.csv").exists()


def test_settling_into_a_missing_inbox_is_still_an_error(tmp_path: Path) -> None:
    present = tmp_path / "count.csv"
    present.write_text("x\n", encoding="utf-8")
    inbox = Inbox(tmp_path)
    with pytest.raises(FileNotFoundError):  # a target folder that cannot be made is not "gone"
        inbox.settle(present, target=tmp_path / "no" / "such" / "count.csv")


def test_a_hidden_upload_is_left_to_its_sender_until_renamed(tmp_path: Path) -> None:
    # a partner uploads under a hidden temporary name and renames the file when complete:
    # *.csv takes the renamed file only, as a shell's glob and the SFTP drop do
    inbox = Inbox(tmp_path / "inbox", ["*.csv", "*.x12"])
    inbox.root.mkdir()
    (inbox.root / ".count.csv").write_text("store_id,sku\n0142,SKU-", encoding="utf-8")
    (inbox.root / ".846.x12").write_text("ISA*00*", encoding="utf-8")
    assert _two_polls(inbox) == []
    assert inbox.pending() == []
    (inbox.root / ".count.csv").rename(inbox.root / "count.csv")
    assert _two_polls(inbox) == [inbox.root / "count.csv"]
    assert Inbox(inbox.root, ".*.csv").pending() == []  # none hidden is left
    (inbox.root / ".wanted.csv").write_text("store_id\n", encoding="utf-8")
    assert Inbox(inbox.root, ".*.csv").pending() == [inbox.root / ".wanted.csv"]


@pytest.mark.parametrize(
    ("name", "pattern", "taken"),
    [
        ("count.csv", "*.csv", True),
        (".count.csv", "*.csv", False),
        (".count.csv", ".*.csv", True),
        (".count.csv", "*", False),
        ("COUNT.CSV", "*.csv", False),  # case-sensitive, as the servers partners use
        ("count.csv.part", "*.csv", False),
    ],
)
def test_one_rule_says_which_names_a_pattern_takes(name: str, pattern: str, taken: bool) -> None:
    assert name_matches(name, pattern) is taken
    settings = Settings.model_validate({"connectors": [{"name": "drop", "pattern": pattern}]})
    if taken:
        assert settings.file_connector_for(name).name == "drop"
    else:
        with pytest.raises(ConfigError, match="no file connector's pattern"):
            settings.file_connector_for(name)
