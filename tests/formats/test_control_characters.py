"""Control characters in mapped text are a record error naming the field, in every format."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from connectors.sdk.translate import control_character
from hub.cli.app import app

LEVEL = {
    "inventory_item_id": 808950810,
    "location_id": 905684977,
    "available": 6,
    "updated_at": "2018-05-07T15:51:26-04:00",
}


def test_the_walk_names_the_first_control_and_its_path() -> None:
    assert control_character({"a": "tab\tand\r\nbreaks", "b": [1, None, "ok"]}) is None
    assert control_character({"lines": [{"sku": "ok"}, {"sku": "S\x00KU"}]}) == (
        "lines[1].sku",
        "\x00",
    )
    assert control_character("esc\x1b") == ("(value)", "\x1b")
    # a key that is not text (a function's dict keyed by line number) is walked, not missed
    assert control_character({"by_line": {1: "ok", 2: "bad\x07"}}) == ("by_line.2", "\x07")
    assert control_character({"by_line": {1: "ok"}}) is None


def test_a_nul_in_a_json_text_field_dead_letters_the_message(tmp_path: Path) -> None:
    good = json.dumps(LEVEL)
    bad = json.dumps({**LEVEL, "location_id": 1, "inventory_item_id": "8089\x0050810"})
    assert "\\u0000" in bad  # escaped in the JSON, a NUL once parsed
    path = tmp_path / "levels.jsonl"
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(events) == 1
    assert "\x00" not in result.stdout
    assert "field sku: control character U+0000" in result.stderr
    assert "body 2" in result.stderr
    assert "line 2" in result.stderr
