"""``retail.order.created``: a customer order was placed (store, web, marketplace or B2B).

Version 2 moves the ship-to out of ``fulfillment`` into ``shipping_address`` next to a new
``billing_address``, and adds ``loyalty_id`` and ``buyer_tax_id``. Both casts are total: a v2
``shipping_address`` requires a ``fulfillment`` (as v1's ``ship_to`` lives inside one), so the
downcast can always put it back; the downcast loses only the fields v1 has no place for.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from canonical.address import Address
from canonical.casting import CastStep
from canonical.channel import Channel
from canonical.events.base import EventData
from canonical.events.consistency import require_one_currency, require_unique_line_numbers
from canonical.gtin import Gtin
from canonical.identifiers import CustomerRef, DocumentRef, LocationId, Sku
from canonical.money import CurrencyCode, Money
from canonical.quantity import Quantity
from canonical.timestamps import UtcDatetime

_Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]
_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
# VAT ids are at most 14 characters after the country prefix; other tax numbers (US EIN, GSTIN,
# ABN) are shorter still, so 32 leaves room for the separators sources print.
_TaxId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]

_TYPE = "retail.order.created"
_V2_ONLY_FIELDS = ("billing_address", "loyalty_id", "buyer_tax_id")


class FulfillmentMethod(StrEnum):
    """How the goods reach the customer."""

    SHIP = "ship"
    PICKUP_IN_STORE = "pickup_in_store"
    SHIP_FROM_STORE = "ship_from_store"


class Discount(BaseModel):
    """A price reduction applied to one order line."""

    model_config = _CONFIG

    code: _Code | None = None
    """Promotion or coupon code."""
    description: _Text | None = None
    amount: Money
    """Reduction for the whole line (not per unit), as a positive amount."""


class TaxLine(BaseModel):
    """One tax charged on an order line."""

    model_config = _CONFIG

    type: _Code
    """Kind of tax as the source names it, e.g. ``VAT``, ``GST``, ``sales``."""
    rate: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    """Rate in percent (19 means 19 %)."""
    amount: Money


class OrderLine(BaseModel):
    """One ordered item."""

    model_config = _CONFIG

    line_no: Annotated[int, Field(ge=1)]
    sku: Sku
    gtin: Gtin | None = None
    description: _Text | None = None
    quantity: Quantity
    unit_price: Money
    discounts: list[Discount] = []
    tax: list[TaxLine] = []

    @model_validator(mode="after")
    def _check_quantity(self) -> Self:
        if self.quantity.value <= 0:
            raise ValueError(f"line {self.line_no}: quantity {self.quantity.value} must be > 0")
        return self


class OrderTotals(BaseModel):
    """Order-level totals as the source system computed them (not recomputed here)."""

    model_config = _CONFIG

    subtotal: Money
    discount_total: Money
    tax_total: Money
    shipping_total: Money
    grand_total: Money


class Fulfillment(BaseModel):
    """How and from where the order is fulfilled."""

    model_config = _CONFIG

    method: FulfillmentMethod
    location_id: LocationId | None = None
    """Store or warehouse that picks the order; required for store pickup and ship-from-store."""
    promised_by: UtcDatetime | None = None
    ship_to: Address | None = None

    @model_validator(mode="after")
    def _check_method(self) -> Self:
        if self.method is not FulfillmentMethod.SHIP and self.location_id is None:
            raise ValueError(f"fulfillment method {self.method} requires location_id")
        if self.method is not FulfillmentMethod.PICKUP_IN_STORE and self.ship_to is None:
            raise ValueError(f"fulfillment method {self.method} requires ship_to")
        return self


class FulfillmentV2(BaseModel):
    """How and from where a v2 order is fulfilled; the address is the order's shipping_address."""

    model_config = _CONFIG

    method: FulfillmentMethod
    location_id: LocationId | None = None
    """Store or warehouse that picks the order; required for store pickup and ship-from-store."""
    promised_by: UtcDatetime | None = None

    @model_validator(mode="after")
    def _check_method(self) -> Self:
        if self.method is not FulfillmentMethod.SHIP and self.location_id is None:
            raise ValueError(f"fulfillment method {self.method} requires location_id")
        return self


class OrderCreatedV1(EventData):
    """A customer order was placed."""

    event_type: ClassVar[str] = _TYPE
    event_version: ClassVar[int] = 1

    order_id: DocumentRef
    channel: Channel
    ordered_at: UtcDatetime
    location_id: LocationId | None = None
    """Store where the order was taken; required for the store channel."""
    customer_ref: CustomerRef | None = None
    currency: CurrencyCode
    """Currency of every amount in the order."""
    prices_include_tax: bool = False
    """True where unit prices already include tax (typical in the EU and UK)."""
    lines: Annotated[list[OrderLine], Field(min_length=1)]
    totals: OrderTotals
    fulfillment: Fulfillment | None = None
    """None for a sale handed over at the point of sale."""

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        _check_order_rules(self.channel, self.location_id, self.currency, self.lines, self.totals)
        return self


class OrderCreatedV2(EventData):
    """A customer order was placed; shipping and billing addresses are separate."""

    event_type: ClassVar[str] = _TYPE
    event_version: ClassVar[int] = 2

    order_id: DocumentRef
    channel: Channel
    ordered_at: UtcDatetime
    location_id: LocationId | None = None
    """Store where the order was taken; required for the store channel."""
    customer_ref: CustomerRef | None = None
    loyalty_id: CustomerRef | None = None
    """Loyalty programme member number, which guest checkouts carry without a customer account."""
    buyer_tax_id: _TaxId | None = None
    """Buyer's VAT or tax number, which B2B invoices (reverse charge) must print."""
    currency: CurrencyCode
    """Currency of every amount in the order."""
    prices_include_tax: bool = False
    """True where unit prices already include tax (typical in the EU and UK)."""
    lines: Annotated[list[OrderLine], Field(min_length=1)]
    totals: OrderTotals
    fulfillment: FulfillmentV2 | None = None
    """None for a sale handed over at the point of sale."""
    shipping_address: Address | None = None
    """Where the goods go; required unless the order is picked up in store."""
    billing_address: Address | None = None
    """Invoice address, which differs from the shipping address for gifts and company buyers."""

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        _check_order_rules(self.channel, self.location_id, self.currency, self.lines, self.totals)
        fulfillment = self.fulfillment
        if fulfillment is None:
            # A sale handed over at the till ships nothing; keeping this rule is also what lets
            # the downcast always find v1's place for the address (fulfillment.ship_to).
            if self.shipping_address is not None:
                raise ValueError("shipping_address requires fulfillment")
        elif (
            fulfillment.method is not FulfillmentMethod.PICKUP_IN_STORE
            and self.shipping_address is None
        ):
            raise ValueError(f"fulfillment method {fulfillment.method} requires shipping_address")
        return self


def _check_order_rules(
    channel: Channel,
    location_id: LocationId | None,
    currency: CurrencyCode,
    lines: list[OrderLine],
    totals: OrderTotals,
) -> None:
    """Raise ``ValueError`` for the order-level rules every version shares."""
    if channel is Channel.STORE and location_id is None:
        raise ValueError("channel store requires location_id")
    require_unique_line_numbers(line.line_no for line in lines)
    require_one_currency(currency, _amounts(lines, totals), scope="order")


def _amounts(lines: list[OrderLine], totals: OrderTotals) -> Iterator[tuple[str, Money]]:
    for line in lines:
        yield f"line {line.line_no} unit_price", line.unit_price
        for i, discount in enumerate(line.discounts):
            yield f"line {line.line_no} discounts[{i}]", discount.amount
        for i, tax in enumerate(line.tax):
            yield f"line {line.line_no} tax[{i}]", tax.amount
    for name in OrderTotals.model_fields:
        yield f"totals.{name}", getattr(totals, name)


def order_created_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Upcast: v1's ``fulfillment.ship_to`` becomes ``shipping_address``; billing is unknown."""
    v2 = data | {"shipping_address": None, "billing_address": None}
    v2 |= {"loyalty_id": None, "buyer_tax_id": None}
    fulfillment = data.get("fulfillment")
    if fulfillment is not None:
        # New dicts throughout: the caller's nested fulfillment must stay as it was.
        v2["fulfillment"] = {k: v for k, v in fulfillment.items() if k != "ship_to"}
        v2["shipping_address"] = fulfillment.get("ship_to")
    return v2


def order_created_v2_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Downcast: ``shipping_address`` goes back into ``fulfillment.ship_to``; the rest is lost."""
    v1 = {k: v for k, v in data.items() if k not in _V2_ONLY_FIELDS and k != "shipping_address"}
    fulfillment = data.get("fulfillment")
    # A valid v2 has no shipping_address without a fulfillment, so nothing is dropped here.
    if fulfillment is not None:
        v1["fulfillment"] = fulfillment | {"ship_to": data.get("shipping_address")}
    return v1


ORDER_CREATED_CASTS = (
    CastStep(_TYPE, 1, 2, order_created_v1_to_v2),
    CastStep(_TYPE, 2, 1, order_created_v2_to_v1, lossy_fields=_V2_ONLY_FIELDS),
)
"""The casts between the versions of ``retail.order.created``."""
