"""SpecRegistry: loading a folder of specs, lookups, duplicate ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings import SPECS_DIR, SpecError, SpecRegistry

SPEC = """\
id: {id}
version: 1
source: {{format: {format}, message: {message}}}
target: retail.order.created@1
fields:
  a: {{path: x}}
"""


def _write(folder: Path, relative: str, spec_id: str, fmt: str = "csv", message: str = "m") -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SPEC.format(id=spec_id, format=fmt, message=message), encoding="utf-8")
    return path


def test_from_directory_loads_nested_specs_and_skips_golden_folders(tmp_path: Path) -> None:
    _write(tmp_path, "csv/a.yaml", "csv.a")
    _write(tmp_path, "x12/b.yaml", "x12.b", fmt="x12", message="850")
    _write(tmp_path, "csv/a.golden/case.in.yaml", "not.a.spec")
    registry = SpecRegistry.from_directory(tmp_path)
    assert [m.id for m in registry] == ["csv.a", "x12.b"]
    assert registry.get("x12.b").source_message == "850"
    assert "csv.a" in registry
    assert len(registry) == 2


def test_for_source_filters_by_format_and_message(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "csv.a", message="stock")
    _write(tmp_path, "b.yaml", "csv.b", message="sales")
    _write(tmp_path, "c.yaml", "x12.c", fmt="x12")
    registry = SpecRegistry.from_directory(tmp_path)
    assert [m.id for m in registry.for_source("csv")] == ["csv.a", "csv.b"]
    assert [m.id for m in registry.for_source("csv", "sales")] == ["csv.b"]
    assert registry.for_source("edifact") == []


def test_duplicate_ids_are_rejected_naming_both_files(tmp_path: Path) -> None:
    first = _write(tmp_path, "a/one.yaml", "same.id")
    second = _write(tmp_path, "b/two.yaml", "same.id")
    with pytest.raises(SpecError) as caught:
        SpecRegistry.from_directory(tmp_path)
    assert str(first) in str(caught.value)
    assert str(second) in str(caught.value)


def test_all_broken_specs_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        SpecRegistry.from_directory(tmp_path)
    assert any("a.yaml" in problem for problem in caught.value.problems)
    assert any("b.yaml" in problem for problem in caught.value.problems)


def test_unknown_id_raises_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="no mapping spec with id 'nope'"):
        SpecRegistry.from_directory(tmp_path).get("nope")


def test_shipped_specs_all_compile() -> None:
    registry = SpecRegistry.from_directory(SPECS_DIR)
    assert all(mapping.file is not None for mapping in registry)
