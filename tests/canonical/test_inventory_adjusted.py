"""retail.inventory.adjusted v1: field names, quantity rules, variance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from canonical import AdjustmentReason, InventoryAdjustedV1, Quantity
from tests.canonical import payloads


def test_field_names_are_the_published_contract() -> None:
    assert list(InventoryAdjustedV1.model_fields) == [
        "location_id",
        "sku",
        "gtin",
        "quantity_change",
        "counted_quantity",
        "expected_on_hand",
        "reason",
        "reference_document",
        "occurred_at",
        "counted_by",
    ]
    assert InventoryAdjustedV1.event_type == "retail.inventory.adjusted"
    assert InventoryAdjustedV1.event_version == 1


def test_reasons_are_the_nine_agreed_values() -> None:
    assert {r.value for r in AdjustmentReason} == {
        "receipt", "sale", "return", "shrink", "damage",
        "cycle_count", "transfer_in", "transfer_out", "correction",
    }  # fmt: skip


def test_cycle_count_validates_and_reports_variance() -> None:
    event = InventoryAdjustedV1.model_validate(payloads.inventory_count())
    assert event.variance == Quantity(value=Decimal("-3"), unit="C62")
    assert "variance" not in event.model_dump()


def test_variance_is_none_without_expected_on_hand() -> None:
    assert InventoryAdjustedV1.model_validate(payloads.inventory_sale()).variance is None


def test_signed_delta_validates() -> None:
    event = InventoryAdjustedV1.model_validate(payloads.inventory_sale())
    assert event.quantity_change == Quantity(value=Decimal("-2"))


def test_both_change_and_count_is_rejected() -> None:
    data = payloads.inventory_count() | {"quantity_change": {"value": "1"}}
    with pytest.raises(ValidationError, match="exactly one of quantity_change or counted_quantity"):
        InventoryAdjustedV1.model_validate(data)


def test_neither_change_nor_count_is_rejected() -> None:
    data: dict[str, Any] = payloads.inventory_sale()
    del data["quantity_change"]
    with pytest.raises(ValidationError, match="exactly one of quantity_change or counted_quantity"):
        InventoryAdjustedV1.model_validate(data)


def test_cycle_count_without_counted_quantity_is_rejected() -> None:
    data = payloads.inventory_sale() | {"reason": "cycle_count"}
    with pytest.raises(ValidationError, match="cycle_count requires counted_quantity"):
        InventoryAdjustedV1.model_validate(data)


def test_negative_count_is_rejected() -> None:
    data = payloads.inventory_count() | {"counted_quantity": {"value": "-1"}}
    with pytest.raises(ValidationError, match="negative"):
        InventoryAdjustedV1.model_validate(data)


def test_count_and_expected_in_different_units_is_rejected() -> None:
    data = payloads.inventory_count() | {"expected_on_hand": {"value": "10", "unit": "KGM"}}
    with pytest.raises(ValidationError, match="differs from expected_on_hand unit KGM"):
        InventoryAdjustedV1.model_validate(data)


def test_unknown_field_is_rejected_and_event_is_immutable() -> None:
    with pytest.raises(ValidationError, match="extra"):
        InventoryAdjustedV1.model_validate(payloads.inventory_sale() | {"qty": 1})
    event = InventoryAdjustedV1.model_validate(payloads.inventory_sale())
    with pytest.raises(ValidationError):
        event.sku = "OTHER"  # type: ignore[misc]


def test_bad_gtin_in_event_names_the_field() -> None:
    data = payloads.inventory_sale() | {"gtin": "4006381333932"}
    with pytest.raises(ValidationError, match=r"gtin\n.*check digit 2 expected 1"):
        InventoryAdjustedV1.model_validate(data)
