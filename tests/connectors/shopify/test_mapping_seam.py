"""The Shopify mapping seam: the topic's spec in mappings/specs/shopify maps every delivery."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canonical import InventoryAdjustedV1, InventoryAdjustedV2, OrderCreatedV3, ReturnAuthorizedV1
from connectors.errors import RecordError
from connectors.shopify import mapping
from tests.corpus import corpus_file


def _load(name: str, key: str) -> dict[str, object]:
    return dict(json.loads(corpus_file(f"shopify/{name}").read_text())[key])


def test_the_specs_map_the_three_webhook_topics_of_the_public_fixtures() -> None:
    order = mapping.to_canonical(
        "orders/create", _load("shopify_python_api_order.json", "order"), location="x"
    )
    assert isinstance(order, OrderCreatedV3)
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
    assert isinstance(level, InventoryAdjustedV2)
    assert mapping.mapping_ref("orders/create") == "shopify.orders-create@2"


def test_a_topic_no_spec_maps_is_refused_by_name() -> None:
    with pytest.raises(RecordError) as info:
        mapping.to_canonical("fulfillments/create", {"id": 1}, location="hook#9")
    assert info.value.location == "hook#9"
    assert "unsupported Shopify topic 'fulfillments/create'" in info.value.reason
    with pytest.raises(KeyError, match="fulfillments/create"):
        mapping.mapping_ref("fulfillments/create")


def test_the_retired_code_mappings_identity_still_resolves_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="mapping_ref"):
        assert mapping.MAPPING_REF == "shopify.code@1"  # type: ignore[attr-defined]


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
    assert level.reason == "cycle_count"  # the spec's, not the shipped spec's "correction"
    assert mapping.mapping_ref("inventory_levels/update") == "shopify.inventory-test@3"
