"""split: one event per item of a list in the message (846 LIN loops, POSLog line items)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mappings import MappingError

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
