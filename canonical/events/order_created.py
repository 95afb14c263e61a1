"""``retail.order.created``: a customer order was placed (store, web, marketplace or B2B)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from canonical.address import Address
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


class OrderCreatedV1(EventData):
    """A customer order was placed."""

    event_type: ClassVar[str] = "retail.order.created"
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
        if self.channel is Channel.STORE and self.location_id is None:
            raise ValueError("channel store requires location_id")
        require_unique_line_numbers(line.line_no for line in self.lines)
        require_one_currency(self.currency, self._amounts(), scope="order")
        return self

    def _amounts(self) -> Iterator[tuple[str, Money]]:
        for line in self.lines:
            yield f"line {line.line_no} unit_price", line.unit_price
            for i, discount in enumerate(line.discounts):
                yield f"line {line.line_no} discounts[{i}]", discount.amount
            for i, tax in enumerate(line.tax):
                yield f"line {line.line_no} tax[{i}]", tax.amount
        for name in OrderTotals.model_fields:
            yield f"totals.{name}", getattr(self.totals, name)
