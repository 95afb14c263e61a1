"""Golden case discovery and the JSON-normalised comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mappings import CORPUS_ENV, GoldenCase, SpecError, compare, golden_cases


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
        "only-out: no .in.* input or .ref",
        "only-in: no .out.json or .refused.txt expected outcome",
    ]


def test_a_ref_names_a_corpus_document_resolved_against_the_corpus_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path / "corpus"))
    spec = _touch(tmp_path / "s.yaml")
    _touch(tmp_path / "s.golden" / "partner.ref", "x12/partner_850.edi\n")
    _touch(tmp_path / "s.golden" / "partner.out.json", "[]")
    (case,) = golden_cases(spec)
    assert case.reference == "x12/partner_850.edi"
    assert case.input_path == tmp_path / "corpus" / "x12" / "partner_850.edi"
    assert not case.refused
    reason = case.unavailable()
    assert reason is not None
    assert "x12/partner_850.edi" in reason
    assert CORPUS_ENV in reason
    _touch(case.input_path, "ISA*00*")
    assert case.unavailable() is None


def test_a_refused_case_holds_the_text_its_refusal_must_contain(tmp_path: Path) -> None:
    spec = _touch(tmp_path / "s.yaml")
    _touch(tmp_path / "s.golden" / "asn.in.x12", "ISA*00*")
    _touch(tmp_path / "s.golden" / "asn.refused.txt", "unsupported message X12 856\n")
    (case,) = golden_cases(spec)
    assert case.refused
    assert case.expected_refusal() == "unsupported message X12 856"


@pytest.mark.parametrize("reference", ["/etc/passwd", "../../secret.edi", "  "])
def test_a_ref_outside_the_corpus_is_refused(tmp_path: Path, reference: str) -> None:
    spec = _touch(tmp_path / "s.yaml")
    _touch(tmp_path / "s.golden" / "bad.ref", reference)
    _touch(tmp_path / "s.golden" / "bad.out.json", "[]")
    with pytest.raises(SpecError) as caught:
        golden_cases(spec)
    (problem,) = caught.value.problems
    assert problem.startswith("bad.ref: ")
    assert "not a path relative to the corpus root" in problem


def test_two_outcomes_or_an_empty_refusal_are_reported(tmp_path: Path) -> None:
    spec = _touch(tmp_path / "s.yaml")
    _touch(tmp_path / "s.golden" / "both.in.x12")
    _touch(tmp_path / "s.golden" / "both.out.json", "[]")
    _touch(tmp_path / "s.golden" / "both.refused.txt", "refused")
    _touch(tmp_path / "s.golden" / "empty.in.x12")
    _touch(tmp_path / "s.golden" / "empty.refused.txt", "\n")
    with pytest.raises(SpecError) as caught:
        golden_cases(spec)
    assert caught.value.problems == [
        "both: several expected outcomes (both.out.json, both.refused.txt)",
        "empty.refused.txt: empty; write the text the refusal must contain",
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
