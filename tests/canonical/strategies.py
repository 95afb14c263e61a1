"""Hypothesis strategies for valid event payloads in their JSON form, as producers send them.

They draw the shapes the models allow (optional keys left out, units omitted where v1 defaults
them, every fulfillment method), not random bytes: the properties under test are about the
casters, and invalid payloads are the subject of the per-event tests.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from canonical import AdjustmentReason, Channel, convert
from canonical.events import FulfillmentMethod

_ID_CHARS = string.ascii_letters + string.digits + "-_./"
_TEXT_CHARS = _ID_CHARS + " äöüßéøł"
_GTINS = ("4006381333931", "036000291452", "96385074", "10012345678902")
_COUNTRIES = ("DE", "US", "GB", "FR", "NL", "JP")
_CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF")
_UNITS = ("C62", "KGM", "XPK", "MTR", "LTR")
_ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)))

ids = st.text(_ID_CHARS, min_size=1, max_size=24)
texts = st.text(_TEXT_CHARS, min_size=1, max_size=32).map(str.strip).filter(bool)
gtins = st.sampled_from(_GTINS)
timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(_ZONES),
).map(datetime.isoformat)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


def decimals(min_value: str, max_value: str, places: int = 3) -> st.SearchStrategy[str]:
    """Decimal text (the JSON form of amounts and quantities) between the bounds."""
    return st.decimals(Decimal(min_value), Decimal(max_value), places=places, allow_nan=False).map(
        str
    )


def _optional(
    draw: st.DrawFn,
    data: dict[str, Any],
    key: str,
    values: st.SearchStrategy[Any],
    *,
    nullable: bool = True,
) -> None:
    """Set ``data[key]`` to a drawn value or (if ``nullable``) None, or leave the key out."""
    choice = draw(st.sampled_from(("value", "null", "absent") if nullable else ("value", "absent")))
    if choice == "value":
        data[key] = draw(values)
    elif choice == "null":
        data[key] = None


@st.composite
def quantities(draw: st.DrawFn, value: st.SearchStrategy[str], *, unit_optional: bool) -> Any:
    """A Quantity dict; without a unit now and then where the version defaults it to C62."""
    quantity = {"value": draw(value)}
    if not unit_optional or draw(st.booleans()):
        quantity["unit"] = draw(st.sampled_from(_UNITS))
    return quantity


@st.composite
def addresses(draw: st.DrawFn) -> dict[str, Any]:
    """A postal address dict."""
    address: dict[str, Any] = {
        "lines": draw(st.lists(texts, min_size=1, max_size=4)),
        "city": draw(texts),
        "country": draw(st.sampled_from(_COUNTRIES)),
    }
    for key in ("name", "region", "postal_code"):
        _optional(draw, address, key, texts)
    return address


@st.composite
def order_v1_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``retail.order.created`` v1 payload covering every channel and fulfillment."""
    currency = draw(st.sampled_from(_CURRENCIES))
    amounts = decimals("0", "100000", places=2).map(
        lambda amount: {"amount": amount, "currency": currency}
    )
    channel = draw(st.sampled_from(list(Channel)))
    order: dict[str, Any] = {
        "order_id": draw(ids),
        "channel": channel.value,
        "ordered_at": draw(timestamps),
        "currency": currency,
        "lines": draw(_order_lines(amounts)),
        "totals": {
            name: draw(amounts)
            for name in ("subtotal", "discount_total", "tax_total", "shipping_total", "grand_total")
        },
    }
    if channel is Channel.STORE:
        order["location_id"] = draw(ids)
    else:
        _optional(draw, order, "location_id", ids)
    _optional(draw, order, "customer_ref", ids)
    if draw(st.booleans()):
        order["prices_include_tax"] = draw(st.booleans())
    _optional(draw, order, "fulfillment", _fulfillments_v1())
    return order


def _order_lines(amounts: st.SearchStrategy[dict[str, str]]) -> st.SearchStrategy[Any]:
    @st.composite
    def line(draw: st.DrawFn, line_no: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line_no": line_no,
            "sku": draw(ids),
            "quantity": draw(quantities(decimals("0.001", "1000"), unit_optional=True)),
            "unit_price": draw(amounts),
        }
        _optional(draw, data, "gtin", gtins)
        _optional(draw, data, "description", texts)
        discount = st.fixed_dictionaries({"amount": amounts}, optional={"code": ids})
        tax = st.fixed_dictionaries(
            {"type": st.sampled_from(("VAT", "GST", "sales")), "amount": amounts},
            optional={"rate": decimals("0", "100", places=2)},
        )
        if draw(st.booleans()):
            data["discounts"] = draw(st.lists(discount, max_size=2))
        if draw(st.booleans()):
            data["tax"] = draw(st.lists(tax, max_size=2))
        return data

    line_numbers = st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True)
    return line_numbers.flatmap(lambda numbers: st.tuples(*(line(n) for n in numbers)).map(list))


@st.composite
def _fulfillments_v1(draw: st.DrawFn) -> dict[str, Any]:
    method = draw(st.sampled_from(list(FulfillmentMethod)))
    fulfillment: dict[str, Any] = {"method": method.value}
    if method is FulfillmentMethod.SHIP:
        _optional(draw, fulfillment, "location_id", ids)
    else:
        fulfillment["location_id"] = draw(ids)
    if method is FulfillmentMethod.PICKUP_IN_STORE:
        # v1 allows a ship-to on a pickup order; v2 must carry it too for the upcast to be total.
        _optional(draw, fulfillment, "ship_to", addresses())
    else:
        fulfillment["ship_to"] = draw(addresses())
    _optional(draw, fulfillment, "promised_by", timestamps)
    return fulfillment


@st.composite
def inventory_v1_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``retail.inventory.adjusted`` v1 payload: a signed delta or a count."""
    reason = draw(st.sampled_from(list(AdjustmentReason)))
    event: dict[str, Any] = {
        "location_id": draw(ids),
        "sku": draw(ids),
        "reason": reason.value,
        "occurred_at": draw(timestamps),
    }
    if reason is AdjustmentReason.CYCLE_COUNT or draw(st.booleans()):
        counted = draw(quantities(decimals("0", "10000"), unit_optional=True))
        event["counted_quantity"] = counted
        if draw(st.booleans()):
            # Same unit as the count (v1 requires it), spelt the same way or written out.
            unit = counted.get("unit", "C62")
            expected = {"value": draw(decimals("-100", "10000"))}
            if "unit" in counted or draw(st.booleans()):
                expected["unit"] = unit
            event["expected_on_hand"] = expected
    else:
        event["quantity_change"] = draw(quantities(decimals("-10000", "10000"), unit_optional=True))
        _optional(
            draw,
            event,
            "expected_on_hand",
            quantities(decimals("-100", "10000"), unit_optional=True),
        )
    _optional(draw, event, "gtin", gtins)
    _optional(draw, event, "reference_document", ids)
    _optional(draw, event, "counted_by", ids)
    return event


@st.composite
def order_v2_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``retail.order.created`` v2 payload, with the v2-only fields drawn as well."""
    order = convert("retail.order.created", draw(order_v1_payloads()), 1, 2)
    _optional(draw, order, "billing_address", addresses())
    _optional(draw, order, "loyalty_id", ids)
    _optional(
        draw,
        order,
        "buyer_tax_id",
        st.text(string.ascii_uppercase + string.digits, min_size=4, max_size=16),
    )
    return order


@st.composite
def inventory_v2_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``retail.inventory.adjusted`` v2 payload with lot, expiry and serials drawn."""
    event = convert("retail.inventory.adjusted", draw(inventory_v1_payloads()), 1, 2)
    _optional(draw, event, "lot_number", ids)
    _optional(draw, event, "expiry_date", dates.map(date.isoformat))
    # Exactly one of the two is set in a valid payload.
    quantity: dict[str, str] = event.get("quantity_change") or event["counted_quantity"]
    value = Decimal(quantity["value"])
    # Serials only fit a whole number of items, one serial per item.
    if quantity["unit"] == "C62" and value == value.to_integral_value() and abs(value) <= 20:
        serials = st.lists(ids, min_size=int(abs(value)), max_size=int(abs(value)), unique=True)
        _optional(draw, event, "serial_numbers", serials, nullable=False)
    return event
