"""Each expression kind of a value field, on flat records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from mappings import MappingError

from .conftest import CompileYaml

STOCK_COUNT = """
tables:
  uom: {EA: C62, PC: H87, KG: KGM}
fields:
  location_id: {path: store_id, transform: strip, required: true}
  sku: {path: sku, transform: strip, required: true}
  gtin: {path: gtin, transform: strip, empty: null}
  counted_quantity.value: {path: counted_qty, transform: decimal, required: true}
  counted_quantity.unit: {path: uom, table: uom, default: C62}
  expected_on_hand.value: {path: system_qty, transform: decimal}
  expected_on_hand.unit: {const: C62}
  reason: {const: cycle_count}
  occurred_at: {path: counted_at, transform: datetime}
  counted_by: {path: counter, empty: null}
"""

ROW = {
    "store_id": " 0142 ",
    "sku": "SKU-1",
    "gtin": "4006381333931",
    "counted_qty": "12",
    "uom": "KG",
    "system_qty": "10.5",
    "counted_at": "2026-11-20T06:05:00",
    "counter": "kim",
}


def test_stock_count_row_maps_to_nested_event_data(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(STOCK_COUNT)
    assert mapping(ROW) == {
        "location_id": "0142",
        "sku": "SKU-1",
        "gtin": "4006381333931",
        "counted_quantity": {"value": Decimal("12"), "unit": "KGM"},
        "expected_on_hand": {"value": Decimal("10.5"), "unit": "C62"},
        "reason": "cycle_count",
        "occurred_at": datetime(2026, 11, 20, 6, 5, tzinfo=UTC),
        "counted_by": "kim",
    }
    assert mapping.fallbacks == 0


def test_object_whose_sourced_leaves_are_all_none_is_omitted_despite_const_leaf(
    compile_yaml: CompileYaml,
) -> None:
    result = compile_yaml(STOCK_COUNT)({**ROW, "system_qty": ""})
    assert "expected_on_hand" not in result


def test_optional_top_level_fields_stay_as_none(compile_yaml: CompileYaml) -> None:
    result = compile_yaml(STOCK_COUNT)({**ROW, "gtin": "  ", "counter": "", "counted_at": None})
    assert result["gtin"] is None
    assert result["counted_by"] is None
    assert result["occurred_at"] is None


def test_empty_string_is_kept_without_empty_null(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  note: {path: note}\n")
    assert mapping({"note": ""}) == {"note": ""}


def test_missing_key_reads_as_none(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  note: {path: a.b.c}\n")
    assert mapping({}) == {"note": None}
    assert mapping({"a": {"b": None}}) == {"note": None}


def test_table_default_used_for_missing_code_and_unknown_code(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(STOCK_COUNT)
    assert mapping({**ROW, "uom": ""})["counted_quantity"]["unit"] == "C62"
    assert mapping({**ROW, "uom": "ZZ"})["counted_quantity"]["unit"] == "C62"


def test_table_default_is_separate_from_missing_default(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        """
        tables: {uom: {EA: C62}}
        fields:
          unit: {path: u, table: uom, table_default: XX, default: C62}
        """
    )
    assert mapping({"u": "EA"}) == {"unit": "C62"}
    assert mapping({"u": "PK"}) == {"unit": "XX"}
    assert mapping({}) == {"unit": "C62"}


def test_unknown_code_without_default_is_a_mapping_error(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("tables: {uom: {EA: C62}}\nfields:\n  unit: {path: u, table: uom}\n")
    with pytest.raises(MappingError) as caught:
        mapping({"u": "PK"})
    assert caught.value.reason == "code 'PK' is not in table 'uom'"
    assert caught.value.field == "unit"
    assert caught.value.source_path == "u"


def test_default_is_converted_by_the_field_transforms(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  qty: {path: q, transform: decimal, default: '1'}\n")
    assert mapping({}) == {"qty": Decimal("1")}
    assert mapping({"q": "2.5"}) == {"qty": Decimal("2.5")}


def test_const_is_converted_by_transforms_at_compile_time(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  qty: {const: '0.50', transform: decimal}\n")
    assert mapping({}) == {"qty": Decimal("0.50")}
    assert "Decimal" not in mapping.source  # a named constant, not parsed per document


def test_transform_list_applies_in_order(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  code: {path: c, transform: [strip, upper]}\n")
    assert mapping({"c": "  ab "}) == {"code": "AB"}


def test_format_joins_several_paths(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml('fields:\n  key: {format: "{store}-{line.sku} 100%{{x}}"}\n')
    assert mapping({"store": "0142", "line": {"sku": "A"}}) == {"key": "0142-A 100%{x}"}


def test_format_with_a_missing_placeholder_is_none_and_takes_default(
    compile_yaml: CompileYaml,
) -> None:
    mapping = compile_yaml('fields:\n  key: {format: "{a}-{b}", default: none}\n')
    assert mapping({"a": "1"}) == {"key": "none"}


def test_python_escape_hatch_gets_the_current_node(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        """
        fields:
          total: {python: "tests.mappings.helpers:line_total", transform: decimal}
          lines:
            each: items
            fields:
              doubled: {python: "tests.mappings.helpers:double_qty"}
        """
    )
    record = {"items": [{"qty": "2"}, {"qty": "3"}]}
    assert mapping(record) == {"total": Decimal("5"), "lines": [{"doubled": 4}, {"doubled": 6}]}


@pytest.mark.parametrize(
    ("when", "record", "expected"),
    [
        ('{path: q, equals: "BY"}', {"q": "BY", "v": "x"}, "x"),
        ('{path: q, equals: "BY"}', {"q": "ST", "v": "x"}, None),
        ("{path: q, in: [BY, ST]}", {"q": "ST", "v": "x"}, "x"),
        ("{path: q, in: [BY, ST]}", {"q": "SE", "v": "x"}, None),
        ("{path: q, present: true}", {"q": "", "v": "x"}, None),
        ("{path: q, present: false}", {"v": "x"}, "x"),
        (
            "{all: [{path: q, equals: A}, {path: r, equals: B}]}",
            {"q": "A", "r": "B", "v": "x"},
            "x",
        ),
        (
            "{any: [{path: q, equals: A}, {path: r, equals: B}]}",
            {"q": "Z", "r": "B", "v": "x"},
            "x",
        ),
        ("{not: {path: q, equals: A}}", {"q": "A", "v": "x"}, None),
    ],
)
def test_when_condition_controls_the_value(
    compile_yaml: CompileYaml, when: str, record: dict[str, Any], expected: str | None
) -> None:
    mapping = compile_yaml(f"fields:\n  out: {{path: v, when: {when}}}\n")
    assert mapping(record) == {"out": expected}


def test_false_when_skips_required_and_default(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        "fields:\n  out: {path: v, required: true, default: d, when: {path: q, equals: Y}}\n"
    )
    assert mapping({"q": "N"}) == {"out": None}
    assert mapping({"q": "Y"}) == {"out": "d"}


def test_find_reads_from_the_first_matching_item(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        """
        fields:
          buyer: {find: N1, where: {path: "1", equals: BY}, path: "2"}
          ship_to: {find: N1, where: {path: "1", equals: ST}, path: "2", default: unknown}
        """
    )
    record = {"N1": [["N1", "SE", "Seller"], ["N1", "BY", "Buyer Inc"]]}
    assert mapping(record) == {"buyer": "Buyer Inc", "ship_to": "unknown"}


def test_list_positions_and_negative_positions(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        """
        fields:
          po: {path: header.BEG.3}
          first: {path: "N1[0].2"}
          last: {path: "N1[-1].2"}
          past_end: {path: header.BEG.9}
        """
    )
    record = {
        "header": {"BEG": ["BEG", "00", "SA", "PO-1"]},
        "N1": [["N1", "BY", "a"], ["N1", "ST", "b"]],
    }
    assert mapping(record) == {"po": "PO-1", "first": "a", "last": "b", "past_end": None}


def test_numeric_step_reads_a_string_key_of_an_object(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  v: {path: seg.2}\n")
    assert mapping({"seg": {"2": "two"}}) == {"v": "two"}


def test_top_level_sequence_record_is_indexable(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  sku: {path: '1', required: true}\n")
    assert mapping(["x", "SKU-9"]) == {"sku": "SKU-9"}


def test_const_only_nested_object_is_kept(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  meta.kind: {const: count}\n  meta.n: {const: 1}\n")
    assert mapping({}) == {"meta": {"kind": "count", "n": 1}}


def test_defaulted_leaf_does_not_keep_an_object_alive(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        "fields:\n  qty.value: {path: q, transform: decimal}\n  qty.unit: {path: u, default: C62}\n"
    )
    assert mapping({}) == {}
    assert mapping({"u": "KGM"}) == {"qty": {"value": None, "unit": "KGM"}}


def test_deeply_nested_objects_are_omitted_level_by_level(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  a.b.c: {path: x}\n  a.d: {path: y}\n  a.k: {const: k}\n")
    assert mapping({"y": "1"}) == {"a": {"d": "1", "k": "k"}}
    assert mapping({}) == {}
    assert mapping({"x": "2"}) == {"a": {"b": {"c": "2"}, "d": None, "k": "k"}}
