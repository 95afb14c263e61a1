"""Poison never stops the hub: a file that cannot be read moves to failed/ with one dead letter.

Each hostile file (binary, Latin-1 or UTF-16 text, zero bytes, random bytes under a document's
name, an empty file, truncated XML) is refused whole with its reason, keeps its bytes in one
dead letter, and the good file beside it is read: on the embedded hub and on RabbitMQ with
PostgreSQL.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy.exc
from click.testing import CliRunner

from connectors.errors import RecordError
from connectors.sdk.runner import RunOutcome
from hub.cli.app import app
from hub.deadletter.service import DeadLetterService
from hub.errors import ConfigError
from hub.file_source import FileOutcome, Progress
from hub.refused_files import PAYLOAD_CAP, as_refusal
from hub.runtime import HubRun
from hub.source_poller import PolledSource
from tests.hub.conftest import HEADER, HubEnv

GOOD_ROW = "0142,SKU-1,4006381333931,12,12,2026-11-20T06:05:00Z,m.lopez\n"
_RANDOM = random.Random(16)


def _noise(size: int) -> bytes:
    return bytes(_RANDOM.getrandbits(8) for _ in range(size))


POISON: dict[str, bytes] = {
    # an executable copied into the inbox (ELF header, then machine code)
    "a.csv": b"\x7fELF\x02\x01\x01\0" + bytes(range(256)) * 40,
    "latin1.csv": HEADER.replace("store_id", "st\xf6re_id").encode("latin-1") + b"x\n",
    "utf16.csv": (HEADER + GOOD_ROW).encode("utf-16"),
    "zeros.csv": bytes(4096),
    "noise.x12": _noise(3000),
    "noise.edi": _noise(3000),
    "noise.xml": _noise(3000),
    "empty.csv": b"",
    "truncated.xml": b'<?xml version="1.0"?>\n<POSLog xmlns="http://www.nrf-arts.org/IXRetail/'
    b'namespace/"><Transaction><RetailTransaction><LineItem>',
}


class _Collected:
    """A run report that keeps what the run said."""

    def __init__(self) -> None:
        self.done: dict[str, FileOutcome | RecordError] = {}

    def say(self, text: str) -> None:
        pass

    @contextmanager
    def file_progress(self, path: Path) -> Iterator[Progress]:
        yield lambda *_: None

    def file_done(self, path: Path, result: FileOutcome | RecordError) -> None:
        self.done[path.name] = result

    def source_read(self, polled: PolledSource, result: RunOutcome | Exception) -> None:
        pass


def _letters(env: HubEnv) -> list[Any]:
    from hub.database import connect

    engine = connect(env.settings.resolved_database_url)
    try:
        return DeadLetterService(engine).list(limit=1000)
    finally:
        engine.dispose()


def test_poison_files_are_refused_with_one_letter_each_and_the_good_file_is_read(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in POISON.items():
        (inbox / name).write_bytes(data)
    (inbox / "good.csv").write_text(HEADER + GOOD_ROW, encoding="utf-8")
    settings = hub_env.settings.model_copy(update={"inbox": inbox})
    report = _Collected()
    totals = HubRun(settings, report, once=True, poll=0.05).run()

    assert isinstance(report.done["good.csv"], FileOutcome)
    assert report.done["good.csv"].published == 1
    events: list[dict[str, Any]] = []
    hub_env.consumer.drain(events.extend, idle_timeout=1.0)
    assert [e["data"]["sku"] for e in events] == ["SKU-1"]
    assert totals.failed_files == len(POISON)
    letters = {Path(row.source).name: row for row in _letters(hub_env)}
    assert sorted(letters) == sorted(POISON)
    for name, data in POISON.items():
        result = report.done[name]
        assert isinstance(result, RecordError), name
        assert (inbox / "failed" / name).read_bytes() == data
        reason = (inbox / "failed" / f"{name}.reason").read_text("utf-8")
        assert name in reason
        letter = letters[name]
        assert letter.payload == data, name  # the original bytes, whole
        assert letter.context["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in inbox.iterdir()) == ["done", "failed"]


def test_a_huge_refused_file_keeps_a_bounded_prefix_its_size_and_digest(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = b"\0\xff" * (PAYLOAD_CAP + 1000)
    (inbox / "big.csv").write_bytes(data)
    settings = hub_env.settings.model_copy(update={"inbox": inbox})
    HubRun(settings, _Collected(), once=True, poll=0.05).run()
    (letter,) = _letters(hub_env)
    assert letter.payload == data[:PAYLOAD_CAP]
    assert f"keeps the first {PAYLOAD_CAP:,} of {len(data):,} bytes" in letter.reason
    assert hashlib.sha256(data).hexdigest() in letter.reason
    assert (inbox / "failed" / "big.csv").stat().st_size == len(data)


def test_run_once_exits_1_without_a_traceback_on_a_binary_file(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    data.mkdir()
    (inbox / "a.csv").write_bytes(POISON["a.csv"])
    (inbox / "good.csv").write_text(HEADER + GOOD_ROW, encoding="utf-8")
    args = ["run", "--once", "--no-routing", "--inbox", str(inbox), "--data-dir", str(data)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "a.csv" in result.output
    assert (inbox / "failed" / "a.csv").exists()
    assert (inbox / "done" / "good.csv").exists()
    # a restart finds nothing left to stumble on
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output


def test_a_50_mb_line_and_an_endless_segment_are_refused_at_their_caps(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    line = HEADER.encode() + GOOD_ROW.encode() + b"0142," + b"9" * (50 << 20) + b"\n"
    (inbox / "line.csv").write_bytes(line)
    edifact = b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+200101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+"
    (inbox / "endless.edi").write_bytes(edifact + b"7" * (3 << 20))
    (inbox / "good.csv").write_text(HEADER + GOOD_ROW, encoding="utf-8")
    settings = hub_env.settings.model_copy(update={"inbox": inbox})
    report = _Collected()
    totals = HubRun(settings, report, once=True, poll=0.05).run()
    assert totals.failed_files == 2
    refused_line = report.done["line.csv"]
    assert isinstance(refused_line, RecordError)
    assert f"line 3, byte {len(HEADER) + len(GOOD_ROW)}" in str(refused_line)
    assert "limits.line_bytes" in str(refused_line)
    refused_segment = report.done["endless.edi"]
    assert isinstance(refused_segment, RecordError)
    assert "segment 3, byte 72" in str(refused_segment)
    assert "limits.segment_bytes" in str(refused_segment)
    # the row before the long line was read, and so was the file after it
    events: list[dict[str, Any]] = []
    hub_env.consumer.drain(events.extend, idle_timeout=1.0)
    assert len(events) == 2
    letters = {Path(row.source).name: row for row in _letters(hub_env)}
    assert len(letters["line.csv"].payload) == PAYLOAD_CAP
    assert hashlib.sha256(line).hexdigest() in letters["line.csv"].reason


def test_only_errors_of_reading_refuse_a_file_never_the_bus_or_the_database() -> None:
    path = Path("inbox/a.csv")
    for infrastructure in (
        ConnectionRefusedError("broker gone"),
        sqlalchemy.exc.ProgrammingError("SELECT", {}, Exception("no such table")),
        sqlalchemy.exc.OperationalError("COMMIT", {}, Exception("server closed")),
        ConfigError("mapping unknown"),
    ):
        assert as_refusal(infrastructure, path) is None, infrastructure
    for unreadable in (
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        RecursionError("maximum recursion depth exceeded"),
        KeyError("ISA"),
    ):
        refusal = as_refusal(unreadable, path)
        assert isinstance(refusal, RecordError)
        assert type(unreadable).__name__ in refusal.reason
        assert refusal.__cause__ is unreadable
