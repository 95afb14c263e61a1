"""End to end: a stock-count file in, events on a real bus, bad rows as dead letters, replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.config import csv_format_for
from hub.deadletter import DeadLetterStatus
from hub.errors import DeadLetterError
from hub.file_source import FileOutcome
from hub.inbox import Inbox
from hub.replay import replay_dead_letter
from hub.runtime import Hub
from tests.hub.conftest import HubEnv, write_count

GOOD = [
    "0142,SKU-1,4006381333931,12,12,2026-11-20T06:05:00Z,m.lopez",
    "0142,SKU-2,036000291452,7,9,2026-11-20T06:06:10Z,m.lopez",
    "0142,SKU-3,,0,4,2026-11-20T06:07:45Z,",
]
BAD_GTIN = "0142,SKU-4,4006381333932,5,5,2026-11-20T06:08:02Z,m.lopez"
BAD_QTY = "0142,SKU-5,,twelve,14,2026-11-20T06:10:11Z,m.lopez"
MISSING = "0142,SKU-6,4006381333931,18"


def _collect(env: HubEnv) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    env.consumer.drain(events.extend, idle_timeout=1.0)
    return events


def test_file_in_gives_events_on_bus_and_bad_rows_as_dead_letters(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    path = write_count(
        inbox.root / "count.csv", [GOOD[0], BAD_GTIN, GOOD[1], BAD_QTY, MISSING, GOOD[2]]
    )
    with Hub(hub_env.settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "stock-count")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.records, outcome.published, outcome.dead_lettered) == (6, 3, 3)
        letters = hub.dead_letters.list()
    events = _collect(hub_env)
    assert sorted(e["data"]["sku"] for e in events) == ["SKU-1", "SKU-2", "SKU-3"]
    first = next(e for e in events if e["data"]["sku"] == "SKU-1")
    assert first["type"] == "retail.inventory.adjusted"
    assert first["dataversion"] == 1
    assert first["specversion"] == "1.0"
    assert first["data"]["counted_quantity"]["unit"] == "C62"
    assert (inbox.done / "count.csv").exists()

    by_line = {letter.location.rsplit(" ", 1)[1]: letter for letter in letters}
    assert set(by_line) == {"3", "5", "6"}
    assert by_line["3"].payload == (BAD_GTIN + "\n").encode()
    assert by_line["3"].stage == "validation"
    assert "gtin" in by_line["3"].reason.lower()
    assert by_line["5"].payload == (BAD_QTY + "\n").encode()
    assert "twelve" in by_line["5"].reason
    assert by_line["6"].stage == "decode"
    assert "missing" in by_line["6"].reason
    assert all(letter.location.startswith(str(path)) for letter in letters)


def test_replay_of_corrected_dead_letter_publishes_its_event_exactly_once(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    path = write_count(inbox.root / "count.csv", [GOOD[0], BAD_QTY])
    with Hub(hub_env.settings) as hub:
        hub.process_inbox_file(inbox, path, "stock-count")
        assert len(_collect(hub_env)) == 1
        (letter,) = hub.dead_letters.list()
        fmt = csv_format_for(hub_env.settings.connector("stock-count"), hub.registry)
        kwargs = {"engine": hub.engine, "publisher": hub.publisher, "registry": hub.registry}

        failed = replay_dead_letter(letter.id, fmt=fmt, actor="ops", **kwargs)
        assert not failed.ok
        assert "twelve" in (failed.reason or "")

        fixed = BAD_QTY.replace("twelve", "12").encode() + b"\n"
        result = replay_dead_letter(letter.id, fmt=fmt, actor="ops", payload=fixed, **kwargs)
        assert result.ok
        with pytest.raises(DeadLetterError, match="replayed"):
            replay_dead_letter(letter.id, fmt=fmt, actor="ops", payload=fixed, **kwargs)

        stored = hub.dead_letters.get(letter.id)
        assert stored.status == DeadLetterStatus.REPLAYED.value
        assert stored.payload == (BAD_QTY + "\n").encode()  # the original is kept
        assert [h["action"] for h in stored.history] == ["replay_failed", "replay"]
        assert stored.history[-1]["actor"] == "ops"

    events = _collect(hub_env)
    assert [e["id"] for e in events] == [result.event_id]
    assert events[0]["data"]["counted_quantity"]["value"] in ("12", 12)


def test_same_file_twice_is_processed_once(hub_env: HubEnv, tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    with Hub(hub_env.settings) as hub:
        for _ in range(2):
            path = write_count(inbox.root / "count.csv", GOOD)
            hub.process_inbox_file(inbox, path, "stock-count")
    assert len(_collect(hub_env)) == len(GOOD)


def test_file_missing_a_required_column_is_refused_whole_and_kept(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    path = inbox.root / "nohead.csv"
    inbox.root.mkdir(parents=True)
    path.write_text("store_id,sku,gtin\n0142,SKU-1,\n", encoding="utf-8")
    with Hub(hub_env.settings) as hub:
        result = hub.process_inbox_file(inbox, path, "stock-count")
        (letter,) = hub.dead_letters.list()
    assert not isinstance(result, FileOutcome)
    assert "counted_qty" in str(result)
    assert (inbox.failed / "nohead.csv").exists()
    # the file's own bytes, whole: a refused file is not cut to its first line
    assert letter.payload == b"store_id,sku,gtin\n0142,SKU-1,\n"
    assert json.dumps(letter.context)  # points at the kept file
    assert letter.context["file"].endswith("nohead.csv")
