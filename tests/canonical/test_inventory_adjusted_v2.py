"""retail.inventory.adjusted v2: lot, serials, expiry, explicit units, and the casts to v1."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from pydantic import ValidationError

from canonical import (
    ExplicitQuantity,
    InventoryAdjustedV1,
    InventoryAdjustedV2,
    Quantity,
    convert,
    default_registry,
)
from tests.canonical import payloads, strategies

TYPE = "retail.inventory.adjusted"


def test_field_names_are_the_published_contract() -> None:
    assert list(InventoryAdjustedV2.model_fields) == [
        "location_id",
        "sku",
        "gtin",
        "quantity_change",
        "counted_quantity",
        "expected_on_hand",
        "lot_number",
        "serial_numbers",
        "expiry_date",
        "reason",
        "reference_document",
        "occurred_at",
        "counted_by",
    ]
    assert (InventoryAdjustedV2.event_type, InventoryAdjustedV2.event_version) == (TYPE, 2)


def test_lot_receipt_carries_lot_expiry_and_its_own_unit() -> None:
    event = InventoryAdjustedV2.model_validate(payloads.inventory_lot_receipt_v2())
    assert event.lot_number == "L2026-311A"
    assert event.expiry_date == date(2027, 3, 31)
    assert event.quantity_change == ExplicitQuantity(value=Decimal("12.5"), unit="KGM")


def test_a_quantity_without_unit_is_rejected_at_v2() -> None:
    data = payloads.inventory_sale() | {"quantity_change": {"value": "-2"}}
    with pytest.raises(ValidationError, match=r"quantity_change\.unit\n  Field required"):
        InventoryAdjustedV2.model_validate(data)


def test_serials_must_match_the_item_count_one_for_one() -> None:
    data = payloads.inventory_serial_sale_v2()
    assert InventoryAdjustedV2.model_validate(data).serial_numbers == ("SN-00981", "SN-00982")
    with pytest.raises(ValidationError, match="2 serial_numbers need quantity_change of 2 C62"):
        InventoryAdjustedV2.model_validate(
            data | {"quantity_change": {"value": "-3", "unit": "C62"}}
        )
    with pytest.raises(ValidationError, match="got 2 KGM"):
        InventoryAdjustedV2.model_validate(
            data | {"quantity_change": {"value": "2", "unit": "KGM"}}
        )


def test_repeated_serials_are_rejected_naming_them() -> None:
    data = payloads.inventory_serial_sale_v2() | {"serial_numbers": ["SN-1", "SN-1"]}
    with pytest.raises(ValidationError, match="serial_numbers must be unique; repeated: SN-1"):
        InventoryAdjustedV2.model_validate(data)


def test_the_v1_quantity_rules_and_variance_hold_at_v2() -> None:
    count = convert(TYPE, payloads.inventory_count(), 1, 2)
    assert InventoryAdjustedV2.model_validate(count).variance == Quantity(value=Decimal("-3"))
    with pytest.raises(ValidationError, match="exactly one of quantity_change or counted_quantity"):
        InventoryAdjustedV2.model_validate(
            count | {"quantity_change": {"value": "1", "unit": "C62"}}
        )


def test_upcast_writes_out_v1s_implicit_c62_and_keeps_other_units() -> None:
    v2 = convert(TYPE, payloads.inventory_sale(), 1, 2)
    assert v2["quantity_change"] == {"value": "-2", "unit": "C62"}
    assert (v2["lot_number"], v2["serial_numbers"], v2["expiry_date"]) == (None, [], None)
    weighed = payloads.inventory_sale() | {"quantity_change": {"value": "-0.4", "unit": "KGM"}}
    assert convert(TYPE, weighed, 1, 2)["quantity_change"] == {"value": "-0.4", "unit": "KGM"}


def test_downcast_keeps_any_unit_and_names_what_it_drops() -> None:
    v1 = convert(TYPE, payloads.inventory_lot_receipt_v2(), 2, 1)
    assert InventoryAdjustedV1.model_validate(v1).quantity_change == Quantity(
        value=Decimal("12.5"), unit="KGM"
    )
    lossy = default_registry.lossy_fields(TYPE, 2, 1)
    assert lossy == ("lot_number", "serial_numbers", "expiry_date")
    assert set(InventoryAdjustedV2.model_fields) - set(InventoryAdjustedV1.model_fields) == set(
        lossy
    )
    assert set(lossy).isdisjoint(v1)


@given(strategies.inventory_v1_payloads())
def test_any_valid_v1_survives_up_then_down_unchanged(v1: dict[str, Any]) -> None:
    canonical_v1 = InventoryAdjustedV1.model_validate(v1).model_dump(mode="json")
    round_trip = convert(TYPE, convert(TYPE, v1, 1, 2), 2, 1)
    assert InventoryAdjustedV1.model_validate(round_trip) == InventoryAdjustedV1.model_validate(v1)
    assert convert(TYPE, convert(TYPE, canonical_v1, 1, 2), 2, 1) == canonical_v1


@given(strategies.inventory_v2_payloads())
def test_down_then_up_resets_only_the_named_lossy_fields(v2: dict[str, Any]) -> None:
    expected = InventoryAdjustedV2.model_validate(
        v2 | {"lot_number": None, "serial_numbers": [], "expiry_date": None}
    )
    assert InventoryAdjustedV2.model_validate(convert(TYPE, convert(TYPE, v2, 2, 1), 1, 2)) == (
        expected
    )


@given(strategies.inventory_v1_payloads(), strategies.inventory_v2_payloads())
def test_casters_leave_their_input_untouched(v1: dict[str, Any], v2: dict[str, Any]) -> None:
    v1_before, v2_before = copy.deepcopy(v1), copy.deepcopy(v2)
    convert(TYPE, v1, 1, 2)
    convert(TYPE, v2, 2, 1)
    assert (v1, v2) == (v1_before, v2_before)
