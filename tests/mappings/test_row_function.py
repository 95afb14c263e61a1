"""row_function: a spec compiled for rows as field lists maps them as the dict path does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings import SPECS_DIR, MappingError, compile_spec, load_spec

from .conftest import CompileYaml

STOCK_COUNT = compile_spec(load_spec(SPECS_DIR / "csv" / "retail.inventory.adjusted@1.yaml"))
COLUMNS = ("store_id", "sku", "gtin", "counted_qty", "system_qty", "counted_at", "counter")

fields = st.sampled_from(
    ["", " ", "1001", " SKU-1 ", "4006381333931", "12", "-3", "x", "2026-11-20T06:01:00Z", "n/a"]
)


def _outcome(function: Any, record: Any) -> Any:
    try:
        return ("ok", function(record))
    except MappingError as exc:
        return ("error", str(exc))


@settings(max_examples=300)
@given(row=st.lists(fields, min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_a_row_maps_as_its_dict_does(row: list[str]) -> None:
    map_row = STOCK_COUNT.row_function(COLUMNS)
    assert map_row is not None
    assert _outcome(map_row, row) == _outcome(STOCK_COUNT, dict(zip(COLUMNS, row, strict=True)))


def test_columns_in_another_order_are_read_by_name() -> None:
    shuffled = ("counter", "counted_at", "system_qty", "counted_qty", "gtin", "sku", "store_id")
    row = dict(zip(COLUMNS, ["7", "S-1", "", "4", "3", "2026-11-20T06:01:00Z", "ann"], strict=True))
    map_row = STOCK_COUNT.row_function(shuffled)
    assert map_row is not None
    event = map_row([row[name] for name in shuffled])
    assert event == STOCK_COUNT(row)
    assert event["location_id"] == "7"
    assert event["counted_by"] == "ann"


def test_an_absent_optional_column_reads_as_absent() -> None:
    columns = ("store_id", "sku", "counted_qty", "counted_at")
    row = ["7", "S-1", "4", "2026-11-20T06:01:00Z"]
    map_row = STOCK_COUNT.row_function(columns)
    assert map_row is not None
    event = map_row(row)
    assert event == STOCK_COUNT(dict(zip(columns, row, strict=True)))
    assert event["gtin"] is None
    assert "expected_on_hand" not in event


def test_a_bad_row_fails_as_the_dict_path_says() -> None:
    map_row = STOCK_COUNT.row_function(COLUMNS)
    assert map_row is not None
    row = ["7", "S-1", "", "n/a", "", "2026-11-20T06:01:00Z", ""]
    with pytest.raises(MappingError, match=r"counted_quantity\.value from counted_qty='n/a'"):
        map_row(row)


@pytest.mark.parametrize(
    ("columns", "why"),
    [
        (("store_id", "sku", "counted_at"), "a required column is missing"),
        (("store_id", "sku", "sku", "counted_qty", "counted_at"), "a name repeats"),
    ],
)
def test_no_row_function_when_the_header_cannot_serve_one(
    columns: tuple[str, ...], why: str
) -> None:
    assert STOCK_COUNT.row_function(columns) is None, why


def test_no_row_function_for_nested_paths_or_splits(compile_yaml: CompileYaml) -> None:
    nested = compile_yaml("fields:\n  order_id: {path: head.1, required: true}\n")
    assert nested.row_function(("head",)) is None
    split = compile_yaml("split: {each: items}\nfields:\n  sku: {path: sku, required: true}\n")
    assert split.row_function(("items",)) is None


def test_the_row_function_is_compiled_once_per_header() -> None:
    assert STOCK_COUNT.row_function(list(COLUMNS)) is STOCK_COUNT.row_function(COLUMNS)


def test_only_flat_shipped_specs_get_a_row_function() -> None:
    # the CSV spec reads named columns; every other shipped spec reads nested documents
    for spec_file in sorted(SPECS_DIR.rglob("*.yaml")):
        mapping = compile_spec(load_spec(spec_file))
        has_one = mapping.row_function(COLUMNS) is not None
        assert has_one == (mapping.source_format == "csv"), spec_file
