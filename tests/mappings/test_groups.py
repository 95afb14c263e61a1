"""Repeated groups: each, where, nested each, $root, $parent, $index."""

from __future__ import annotations

from decimal import Decimal

from .conftest import CompileYaml

PO = """
tables:
  uom: {EA: C62, CA: CS}
fields:
  order_id: {path: header.BEG.3, required: true}
  lines:
    each: segments
    where: {path: "0", equals: PO1}
    fields:
      line_no: {index: true, start: 1}
      position: {path: $index}
      po: {path: $root.header.BEG.3}
      sku: {path: "7", required: true}
      quantity.value: {path: "2", transform: decimal}
      quantity.unit: {path: "3", table: uom}
"""

RECORD = {
    "header": {"BEG": ["BEG", "00", "SA", "PO-77"]},
    "segments": [
        ["PO1", "1", "4", "EA", "9.99", "", "VP", "SKU-A"],
        ["CTT", "2"],
        ["PO1", "2", "1", "CA", "20", "", "VP", "SKU-B"],
    ],
}


def test_each_where_maps_only_matching_items_with_output_positions(
    compile_yaml: CompileYaml,
) -> None:
    result = compile_yaml(PO)(RECORD)
    assert result == {
        "order_id": "PO-77",
        "lines": [
            {
                "line_no": 1,
                "position": 0,
                "po": "PO-77",
                "sku": "SKU-A",
                "quantity": {"value": Decimal("4"), "unit": "C62"},
            },
            {
                "line_no": 2,
                "position": 1,
                "po": "PO-77",
                "sku": "SKU-B",
                "quantity": {"value": Decimal("1"), "unit": "CS"},
            },
        ],
    }


def test_missing_list_gives_empty_list(compile_yaml: CompileYaml) -> None:
    result = compile_yaml(PO)({"header": RECORD["header"]})
    assert result["lines"] == []


def test_single_object_where_a_list_is_expected_counts_as_one_item(
    compile_yaml: CompileYaml,
) -> None:
    mapping = compile_yaml(
        "fields:\n  lines:\n    each: E1EDP01\n    fields:\n      n: {path: POSEX}\n"
    )
    assert mapping({"E1EDP01": {"POSEX": "10"}}) == {"lines": [{"n": "10"}]}


def test_nested_each_with_parent_reaches_the_enclosing_item(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        """
        fields:
          batch: {path: batch_id}
          orders:
            each: orders
            fields:
              id: {path: id}
              lines:
                each: lines
                fields:
                  order: {path: $parent.id}
                  batch: {path: $parent.$parent.batch_id}
                  n: {index: true}
                  sku: {path: sku}
        """
    )
    record = {
        "batch_id": "B1",
        "orders": [
            {"id": "O1", "lines": [{"sku": "a"}, {"sku": "b"}]},
            {"id": "O2", "lines": [{"sku": "c"}]},
        ],
    }
    assert mapping(record) == {
        "batch": "B1",
        "orders": [
            {
                "id": "O1",
                "lines": [
                    {"order": "O1", "batch": "B1", "n": 0, "sku": "a"},
                    {"order": "O1", "batch": "B1", "n": 1, "sku": "b"},
                ],
            },
            {"id": "O2", "lines": [{"order": "O2", "batch": "B1", "n": 0, "sku": "c"}]},
        ],
    }


def test_list_inside_nested_object_keeps_the_object(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        "fields:\n  order.note: {path: note}\n  order.lines:\n    each: xs\n    fields:\n"
        "      v: {path: v}\n"
    )
    assert mapping({}) == {"order": {"note": None, "lines": []}}


def test_each_item_object_is_kept_even_when_all_values_are_none(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  lines:\n    each: xs\n    fields:\n      v: {path: v}\n")
    assert mapping({"xs": [{}, {"v": "1"}]}) == {"lines": [{"v": None}, {"v": "1"}]}


def test_format_in_each_uses_index_and_root(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        "fields:\n  lines:\n    each: xs\n    fields:\n"
        '      key: {format: "{$root.id}/{$index}/{v}"}\n'
    )
    assert mapping({"id": "D", "xs": [{"v": "a"}, {"v": "b"}]}) == {
        "lines": [{"key": "D/0/a"}, {"key": "D/1/b"}]
    }


def test_find_inside_each_over_list_segments_stays_on_the_fast_path(
    compile_yaml: CompileYaml,
) -> None:
    # an X12 850 loop item: its PO1 segment and PID segments; the description found by qualifier
    mapping = compile_yaml(
        """
fields:
  lines:
    each: PO1
    fields:
      sku: {path: PO1.7}
      description: {find: PID, where: {path: "1", equals: F}, path: "5"}
"""
    )
    doc = {
        "PO1": [
            {
                "PO1": ["PO1", "1", "4", "EA", "9.99", "", "VP", "SKU-A"],
                "PID": [["PID", "S", "", "", "", "short"], ["PID", "F", "", "", "", "Long text"]],
            }
        ]
    }
    assert mapping(doc) == {"lines": [{"sku": "SKU-A", "description": "Long text"}]}
    assert mapping.fallbacks == 0
