"""The Shopify mapping seam: code mapping now, a spec in mappings/specs/shopify when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canonical import InventoryAdjustedV1, OrderCreatedV1, ReturnAuthorizedV1
from connectors.errors import RecordError
from connectors.shopify import mapping
from tests.corpus import corpus_file


def _load(name: str, key: str) -> dict[str, object]:
    return dict(json.loads(corpus_file(f"shopify/{name}").read_text())[key])


def test_the_code_mapping_maps_the_three_topics_of_the_public_fixtures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(mapping, "SHOPIFY_SPECS", tmp_path / "none")
    order = mapping.to_canonical(
        "orders/create", _load("shopify_python_api_order.json", "order"), location="x"
    )
    assert isinstance(order, OrderCreatedV1)
    assert order.currency == "USD"
    refund = mapping.to_canonical(
        "refunds/create", _load("shopify_python_api_refund.json", "refund"), location="x"
    )
    assert isinstance(refund, ReturnAuthorizedV1)
    assert str(refund.refund.total.amount) == "209.00"
    level = mapping.to_canonical(
        "inventory_levels/update",
        _load("shopify_python_api_inventory_level.json", "inventory_level"),
        location="x",
    )
    assert isinstance(level, InventoryAdjustedV1)
    assert mapping.mapping_ref("orders/create") == mapping.MAPPING_REF


def test_a_payload_missing_what_the_event_needs_is_a_record_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(mapping, "SHOPIFY_SPECS", tmp_path / "none")
    with pytest.raises(RecordError) as info:
        mapping.to_canonical("inventory_levels/update", {"location_id": 1}, location="hook#9")
    assert info.value.location == "hook#9"
    assert info.value.field == "inventory_item_id"


SPEC = """\
id: shopify.inventory-test
version: 3
source: {format: shopify, message: inventory_levels/update}
target: retail.inventory.adjusted@1
fields:
  location_id: {path: location_id, transform: str, required: true}
  sku: {path: inventory_item_id, transform: str, required: true}
  counted_quantity.value: {path: available, transform: decimal, required: true}
  counted_quantity.unit: {const: C62}
  reason: {const: cycle_count}
  occurred_at: {path: updated_at, transform: datetime, required: true}
"""


def test_a_spec_for_the_topic_takes_over_without_a_code_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "inventory.yaml").write_text(SPEC)
    monkeypatch.setattr(mapping, "SHOPIFY_SPECS", tmp_path)
    level = mapping.to_canonical(
        "inventory_levels/update",
        _load("shopify_python_api_inventory_level.json", "inventory_level"),
        location="x",
    )
    assert isinstance(level, InventoryAdjustedV1)
    assert level.reason == "cycle_count"  # the spec's, not the code's "correction"
    assert mapping.mapping_ref("inventory_levels/update") == "shopify.inventory-test@3"
    assert mapping.mapping_ref("orders/create") == mapping.MAPPING_REF  # no spec: code
