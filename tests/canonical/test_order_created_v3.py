"""retail.order.created v3: orders as partners send them (no price, ship-to as a store code)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from pydantic import ValidationError

from canonical import (
    NotRepresentable,
    OrderCreatedV2,
    OrderCreatedV3,
    ProductId,
    ProductIdScheme,
    convert,
)
from tests.canonical import strategies

TYPE = "retail.order.created"


def _catalogue_order(**changes: Any) -> dict[str, Any]:
    """A B2B order priced by catalogue: no prices, no totals, the ship-to a store code."""
    order: dict[str, Any] = {
        "order_id": "4500012345",
        "channel": "b2b",
        "ordered_at": "2026-11-20T00:00:00Z",
        "supplier_id": "VEND-77",
        "lines": [
            {
                "line_no": 1,
                "sku": "ABC-100",
                "product_ids": [
                    {"scheme": "vendor_item", "value": "ABC-100", "qualifier": "VN"},
                    {"scheme": "upc_case_code", "value": "10012345678902", "qualifier": "UA"},
                ],
                "quantity": {"value": "12", "unit": "C62"},
            }
        ],
        "fulfillment": {"method": "ship"},
        "ship_to_location_id": "0791",
    }
    return order | changes


def test_an_order_priced_by_catalogue_with_a_store_ship_to_is_valid() -> None:
    order = OrderCreatedV3.model_validate(_catalogue_order())
    assert order.lines[0].unit_price is None
    assert order.totals is None
    assert order.currency is None
    assert order.ship_to_location_id == "0791"
    assert order.lines[0].product_ids[1].scheme is ProductIdScheme.UPC_CASE_CODE


def test_an_amount_without_a_currency_is_refused() -> None:
    lines = _catalogue_order()["lines"]
    lines[0]["unit_price"] = {"amount": "2.50", "currency": "USD"}
    with pytest.raises(ValidationError, match="currency is required"):
        OrderCreatedV3.model_validate(_catalogue_order(lines=lines))
    assert OrderCreatedV3.model_validate(_catalogue_order(lines=lines, currency="USD"))


def test_shipping_needs_an_address_or_a_location() -> None:
    with pytest.raises(ValidationError, match="requires shipping_address or ship_to_location_id"):
        OrderCreatedV3.model_validate(_catalogue_order(ship_to_location_id=None))
    partial = {"name": "STORE 0791", "city": "Dallas"}
    order = OrderCreatedV3.model_validate(
        _catalogue_order(ship_to_location_id=None, shipping_address=partial)
    )
    assert order.shipping_address is not None
    assert order.shipping_address.lines == []


def test_an_empty_address_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one of name, lines, city"):
        OrderCreatedV3.model_validate(_catalogue_order(shipping_address={"country": "US"}))
    # no street lines stated as None (as a spec maps an absent optional part) is no address
    with pytest.raises(ValidationError, match="at least one of name, lines, city"):
        OrderCreatedV3.model_validate(
            _catalogue_order(shipping_address={"lines": None, "country": "US"})
        )


def test_street_lines_given_as_none_are_none() -> None:
    # a spec gives an optional part it did not find as None: an X12 ship-to of a name only (N1
    # without N3), a Shopify address with a blank address1 were refused for it
    address = {"name": "STORE 1187", "lines": None, "city": None, "country": None}
    order = OrderCreatedV3.model_validate(_catalogue_order(shipping_address=address))
    assert order.shipping_address is not None
    assert order.shipping_address.lines == []
    assert order.shipping_address.name == "STORE 1187"


def test_only_the_gtin_scheme_is_checked_as_a_gtin() -> None:
    # 10012345678900 has a wrong GS1 check digit (2 expected): fine as a case code, not as a GTIN
    assert ProductId(scheme=ProductIdScheme.UPC_CASE_CODE, value="10012345678900")
    assert ProductId(scheme=ProductIdScheme.UPC_CONSUMER_PACKAGE, value="01234567890")
    with pytest.raises(ValidationError, match="check digit"):
        ProductId(scheme=ProductIdScheme.GTIN, value="10012345678900")


@given(strategies.order_v2_payloads())
def test_every_v2_order_is_a_v3_order_and_casts_back_unchanged(v2: dict[str, Any]) -> None:
    data = OrderCreatedV2.model_validate(v2).model_dump(mode="json")
    v3 = convert(TYPE, data, 2, 3)
    assert OrderCreatedV3.model_validate(v3).model_dump(mode="json")["order_id"] == data["order_id"]
    assert convert(TYPE, v3, 3, 2) == data


def test_the_downcast_refuses_what_v2_cannot_hold_and_names_each_gap() -> None:
    data = OrderCreatedV3.model_validate(_catalogue_order()).model_dump(mode="json")
    with pytest.raises(NotRepresentable) as caught:
        convert(TYPE, data, 3, 2)
    problems = caught.value.problems
    assert "currency is missing" in problems
    assert "line 1 has no unit_price" in problems
    assert any(p.startswith("totals lack subtotal") for p in problems)
    assert any("only a location" in p for p in problems)
