"""retail.order.created v1: one currency per order, unique line numbers, fulfillment rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from canonical import Channel, OrderCreatedV1
from tests.canonical import payloads


def test_example_order_validates_with_utc_times() -> None:
    order = OrderCreatedV1.model_validate(payloads.order())
    assert order.channel is Channel.WEB
    assert order.ordered_at.isoformat() == "2026-11-20T17:30:00+00:00"
    assert [line.line_no for line in order.lines] == [1, 2]


def test_line_in_another_currency_is_rejected_naming_the_line() -> None:
    data = payloads.order()
    data["lines"][1]["unit_price"] = payloads.money("9.99", "USD")
    with pytest.raises(ValidationError, match="order currency EUR: line 2 unit_price is USD"):
        OrderCreatedV1.model_validate(data)


def test_discount_tax_and_totals_currencies_are_checked_too() -> None:
    data = payloads.order()
    data["lines"][0]["discounts"][0]["amount"] = payloads.money("4.00", "GBP")
    data["totals"]["grand_total"] = payloads.money("50.92", "USD")
    with pytest.raises(ValidationError) as caught:
        OrderCreatedV1.model_validate(data)
    message = str(caught.value)
    assert "line 1 discounts[0] is GBP" in message
    assert "totals.grand_total is USD" in message


def test_duplicate_line_numbers_are_rejected_naming_the_number() -> None:
    data = payloads.order()
    data["lines"][1]["line_no"] = 1
    with pytest.raises(ValidationError, match="line_no must be unique; repeated: 1"):
        OrderCreatedV1.model_validate(data)


def test_zero_quantity_line_is_rejected() -> None:
    data = payloads.order()
    data["lines"][0]["quantity"] = {"value": "0"}
    with pytest.raises(ValidationError, match="line 1: quantity 0 must be > 0"):
        OrderCreatedV1.model_validate(data)


def test_order_needs_at_least_one_line() -> None:
    data = payloads.order() | {"lines": []}
    with pytest.raises(ValidationError, match="at least 1 item"):
        OrderCreatedV1.model_validate(data)


def test_store_order_needs_a_location() -> None:
    data = payloads.order() | {"channel": "store", "fulfillment": None}
    with pytest.raises(ValidationError, match="channel store requires location_id"):
        OrderCreatedV1.model_validate(data)
    assert OrderCreatedV1.model_validate(data | {"location_id": "S001"}).fulfillment is None


def test_pickup_needs_a_location_and_shipping_needs_an_address() -> None:
    data: dict[str, Any] = payloads.order()
    data["fulfillment"] = {"method": "pickup_in_store"}
    with pytest.raises(ValidationError, match="pickup_in_store requires location_id"):
        OrderCreatedV1.model_validate(data)
    data["fulfillment"] = {"method": "ship"}
    with pytest.raises(ValidationError, match="ship requires ship_to"):
        OrderCreatedV1.model_validate(data)


def test_ship_to_country_must_be_iso() -> None:
    data = payloads.order()
    data["fulfillment"]["ship_to"]["country"] = "Germany"
    with pytest.raises(ValidationError, match="ISO 3166-1"):
        OrderCreatedV1.model_validate(data)


def test_tax_rate_is_a_percentage_between_0_and_100() -> None:
    data = payloads.order()
    data["lines"][0]["tax"][0]["rate"] = "119"
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        OrderCreatedV1.model_validate(data)
