"""Golden case discovery and the JSON-normalised comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mappings import GoldenCase, SpecError, compare, golden_cases


def _touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_cases_are_pairs_beside_the_spec_sorted_by_name(tmp_path: Path) -> None:
    spec = _touch(tmp_path / "csv" / "retail.inventory.adjusted@1.yaml")
    folder = tmp_path / "csv" / "retail.inventory.adjusted@1.golden"
    _touch(folder / "b.in.csv")
    _touch(folder / "b.out.json", "[]")
    _touch(folder / "a.in.csv")
    _touch(folder / "a.out.json", '[{"x": "1"}]')
    cases = golden_cases(spec)
    assert cases == [
        GoldenCase("a", folder / "a.in.csv", folder / "a.out.json"),
        GoldenCase("b", folder / "b.in.csv", folder / "b.out.json"),
    ]
    assert cases[0].expected() == [{"x": "1"}]


def test_no_golden_folder_means_no_cases(tmp_path: Path) -> None:
    assert golden_cases(_touch(tmp_path / "s.yaml")) == []


def test_unpaired_files_are_reported(tmp_path: Path) -> None:
    spec = _touch(tmp_path / "s.yaml")
    _touch(tmp_path / "s.golden" / "only-in.in.csv")
    _touch(tmp_path / "s.golden" / "only-out.out.json", "{}")
    with pytest.raises(SpecError) as caught:
        golden_cases(spec)
    assert caught.value.problems == [
        "only-out: no .in.* input",
        "only-in: no .out.json expected output",
    ]


def test_compare_equal_after_json_normalisation() -> None:
    actual = {
        "q": Decimal("12.50"),
        "at": datetime(2026, 11, 20, 6, 5, tzinfo=UTC),
        "d": date(2026, 11, 20),
        "lines": [{"n": 1}],
    }
    expected = {"q": "12.50", "at": "2026-11-20T06:05:00Z", "d": "2026-11-20", "lines": [{"n": 1}]}
    assert compare(actual, expected) == []


def test_compare_addresses_differences_with_json_pointers() -> None:
    actual = {"lines": [{"q": Decimal("12.0")}, {"q": Decimal("1")}], "extra": 1, "a/b": True}
    expected = {"lines": [{"q": "12"}], "missing": None, "a/b": 1}
    assert compare(actual, expected) == [
        "/lines/0/q: '12.0', expected '12'",
        "/lines: 2 items, expected 1",
        "/missing: missing, expected None",
        "/a~1b: True, expected 1",
        "/extra: unexpected 1",
    ]


def test_compare_distinguishes_offsets() -> None:
    actual = {"at": datetime(2026, 11, 20, 6, 5, tzinfo=UTC)}
    assert compare(actual, {"at": "2026-11-20T07:05:00+01:00"}) != []
