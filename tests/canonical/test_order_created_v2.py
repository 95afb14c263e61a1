"""retail.order.created v2: separate shipping and billing addresses, casts to and from v1."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from pydantic import ValidationError

from canonical import OrderCreatedV1, OrderCreatedV2, convert, default_registry
from tests.canonical import payloads, strategies

TYPE = "retail.order.created"
V2_ONLY = {"billing_address", "loyalty_id", "buyer_tax_id"}


def test_field_names_are_the_published_contract() -> None:
    assert list(OrderCreatedV2.model_fields) == [
        "order_id",
        "channel",
        "ordered_at",
        "location_id",
        "customer_ref",
        "loyalty_id",
        "buyer_tax_id",
        "currency",
        "prices_include_tax",
        "lines",
        "totals",
        "fulfillment",
        "shipping_address",
        "billing_address",
    ]
    assert (OrderCreatedV2.event_type, OrderCreatedV2.event_version) == (TYPE, 2)


def test_example_has_separate_shipping_and_billing_addresses() -> None:
    order = OrderCreatedV2.model_validate(payloads.order_v2())
    assert order.shipping_address is not None
    assert order.shipping_address.city == "Berlin"
    assert order.billing_address is not None
    assert order.billing_address.city == "Hamburg"
    assert order.loyalty_id == "LOY-4711-0815"


def test_ship_to_inside_fulfillment_is_refused_at_v2() -> None:
    data = payloads.order_v2()
    data["fulfillment"]["ship_to"] = data["shipping_address"]
    with pytest.raises(ValidationError, match=r"fulfillment\.ship_to\n  Extra inputs"):
        OrderCreatedV2.model_validate(data)


def test_shipping_needs_a_shipping_address_but_pickup_does_not() -> None:
    data = payloads.order_v2() | {"shipping_address": None}
    with pytest.raises(ValidationError, match="fulfillment method ship requires shipping_address"):
        OrderCreatedV2.model_validate(data)
    data["fulfillment"] = {"method": "pickup_in_store", "location_id": "S001"}
    assert OrderCreatedV2.model_validate(data).shipping_address is None


def test_shipping_address_without_fulfillment_is_rejected() -> None:
    # v1 keeps the ship-to inside fulfillment; this rule is what makes the downcast total.
    data = payloads.order_v2() | {"fulfillment": None}
    with pytest.raises(ValidationError, match="shipping_address requires fulfillment"):
        OrderCreatedV2.model_validate(data)


def test_the_v1_order_rules_still_hold_at_v2() -> None:
    data = payloads.order_v2() | {"channel": "store"}
    data["lines"][1]["unit_price"] = payloads.money("9.99", "USD")
    with pytest.raises(ValidationError) as caught:
        OrderCreatedV2.model_validate(data)
    assert "channel store requires location_id" in str(caught.value)


def test_upcast_moves_ship_to_to_shipping_address_and_leaves_billing_unknown() -> None:
    v1 = payloads.order()
    v2 = convert(TYPE, v1, from_version=1, to_version=2)
    assert v2["shipping_address"] == v1["fulfillment"]["ship_to"]
    assert "ship_to" not in v2["fulfillment"]
    assert v2["billing_address"] is None
    assert v2["loyalty_id"] is None
    assert v2["buyer_tax_id"] is None
    assert v2["lines"] == v1["lines"]


def test_downcast_puts_shipping_address_back_and_drops_the_v2_only_fields() -> None:
    v1 = convert(TYPE, payloads.order_v2() | {"buyer_tax_id": "DE123456789"}, 2, 1)
    assert OrderCreatedV1.model_validate(v1) == OrderCreatedV1.model_validate(payloads.order())
    assert V2_ONLY.isdisjoint(v1)


def test_downcast_names_every_field_v1_cannot_carry() -> None:
    lossy = default_registry.lossy_fields(TYPE, 2, 1)
    assert lossy == ("billing_address", "loyalty_id", "buyer_tax_id")
    assert default_registry.lossy_fields(TYPE, 1, 2) == ()
    # Every v2-only field is either named lossy or has a v1 home (shipping_address -> ship_to).
    new_in_v2 = set(OrderCreatedV2.model_fields) - set(OrderCreatedV1.model_fields)
    assert new_in_v2 == set(lossy) | {"shipping_address"}


@given(strategies.order_v1_payloads())
def test_any_valid_v1_survives_up_then_down_unchanged(v1: dict[str, Any]) -> None:
    canonical_v1 = OrderCreatedV1.model_validate(v1).model_dump(mode="json")
    v2 = convert(TYPE, v1, 1, 2)
    assert OrderCreatedV1.model_validate(convert(TYPE, v2, 2, 1)) == OrderCreatedV1.model_validate(
        v1
    )
    assert convert(TYPE, convert(TYPE, canonical_v1, 1, 2), 2, 1) == canonical_v1


@given(strategies.order_v2_payloads())
def test_down_then_up_changes_only_the_named_lossy_fields(v2: dict[str, Any]) -> None:
    expected = OrderCreatedV2.model_validate(v2).model_copy(
        update=dict.fromkeys(default_registry.lossy_fields(TYPE, 2, 1))
    )
    assert OrderCreatedV2.model_validate(convert(TYPE, convert(TYPE, v2, 2, 1), 1, 2)) == expected


@given(strategies.order_v1_payloads(), strategies.order_v2_payloads())
def test_casters_leave_their_input_untouched(v1: dict[str, Any], v2: dict[str, Any]) -> None:
    v1_before, v2_before = copy.deepcopy(v1), copy.deepcopy(v2)
    convert(TYPE, v1, 1, 2)
    convert(TYPE, v2, 2, 1)
    assert (v1, v2) == (v1_before, v2_before)
