"""split: one event per item of a list in the message (846 LIN loops, POSLog line items)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mappings import MappingError, SpecError

from .conftest import CompileYaml

INVENTORY = """
split:
  each: items
  where: {path: kind, equals: LIN}
fields:
  location_id: {path: $root.header.store, required: true}
  sku: {path: sku, required: true}
  counted_quantity.value: {path: qty, transform: decimal}
  position: {path: $index}
"""

MESSAGE = {
    "header": {"store": "S-12"},
    "items": [
        {"kind": "LIN", "sku": "A", "qty": "3"},
        {"kind": "CTT"},
        {"kind": "LIN", "sku": "B", "qty": "0"},
    ],
}


def test_split_gives_one_event_per_matching_item_with_root_paths(
    compile_yaml: CompileYaml,
) -> None:
    mapping = compile_yaml(INVENTORY)
    assert mapping.splits
    assert mapping.map_all(MESSAGE) == [
        {
            "location_id": "S-12",
            "sku": "A",
            "counted_quantity": {"value": Decimal("3")},
            "position": 0,
        },
        {
            "location_id": "S-12",
            "sku": "B",
            "counted_quantity": {"value": Decimal("0")},
            "position": 1,
        },
    ]


def test_split_of_a_message_without_items_gives_no_event(compile_yaml: CompileYaml) -> None:
    assert compile_yaml(INVENTORY).map_all({"header": {"store": "S-12"}}) == []


def test_split_error_names_the_event_and_source_item(compile_yaml: CompileYaml) -> None:
    bad = {"header": {"store": "S-12"}, "items": [*MESSAGE["items"], {"kind": "LIN", "qty": "1"}]}
    with pytest.raises(MappingError, match=r"field events\[2\]\.sku from items\[3\]"):
        compile_yaml(INVENTORY).map_all(bad)


def test_calling_a_split_spec_for_one_event_is_refused(compile_yaml: CompileYaml) -> None:
    with pytest.raises(TypeError, match="map_all"):
        compile_yaml(INVENTORY)(MESSAGE)


def test_spec_without_split_maps_to_a_one_item_list(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  sku: {path: sku}\n")
    assert not mapping.splits
    assert mapping.map_all({"sku": "A"}) == [{"sku": "A"}]


PER_STORE = """
split:
  python: tests.mappings.helpers:stock_per_store
fields:
  location_id: {path: store, required: true}
  sku: {path: sku, required: true}
  counted_quantity.value: {path: qty, transform: decimal}
  reported_by: {path: $root.sender}
"""

REPORT = {
    "sender": "DC-1",
    "lines": [{"sku": "A", "stores": {"S1": "3", "S2": "4"}}, {"sku": "B", "stores": {"S1": "0"}}],
}


def test_split_over_the_items_a_function_returns_gives_one_event_per_item(
    compile_yaml: CompileYaml,
) -> None:
    events = compile_yaml(PER_STORE).map_all(REPORT)
    assert [(e["sku"], e["location_id"], e["counted_quantity"]["value"]) for e in events] == [
        ("A", "S1", Decimal("3")),
        ("A", "S2", Decimal("4")),
        ("B", "S1", Decimal("0")),
    ]
    assert {e["reported_by"] for e in events} == {"DC-1"}


def test_an_error_in_a_function_item_names_the_function_and_position(
    compile_yaml: CompileYaml,
) -> None:
    bad = {"lines": [{"sku": "A", "stores": {"S1": "x"}}]}
    with pytest.raises(
        MappingError,
        match=r"field events\[0\]\.counted_quantity\.value from "
        r"tests\.mappings\.helpers:stock_per_store\(\)\[0\]\.qty='x'",
    ):
        compile_yaml(PER_STORE).map_all(bad)


def test_a_group_may_take_its_items_from_a_function(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        "fields:\n"
        "  rows:\n"
        "    python: tests.mappings.helpers:stock_per_store\n"
        "    fields:\n"
        "      store: {path: store}\n"
    )
    assert mapping.map_all(REPORT) == [
        {"rows": [{"store": "S1"}, {"store": "S2"}, {"store": "S1"}]}
    ]


@pytest.mark.parametrize(
    "split",
    [
        "{each: lines, python: 'tests.mappings.helpers:stock_per_store'}",
        "{where: {path: kind, equals: LIN}}",
        "{python: not-a-reference}",
    ],
)
def test_a_split_names_its_list_one_way(compile_yaml: CompileYaml, split: str) -> None:
    with pytest.raises(SpecError, match=r"exactly one of each|package\.module:function"):
        compile_yaml(f"split: {split}\nfields:\n  sku: {{path: sku}}\n")
