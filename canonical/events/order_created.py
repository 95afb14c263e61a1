"""``retail.order.created``: a customer order was placed (store, web, marketplace or B2B).

Version 3 follows what trading partners' orders really carry: an order priced by catalogue has
no unit price (X12 PO104 and EDIFACT PRI are optional), so ``unit_price``, the totals and the
currency become optional; a ship-to may be only a store or DC code (``N1*ST**92*0791``), so
``ship_to_location_id`` stands beside a ``shipping_address`` whose parts are all optional; each
line keeps every product id the sender gave (``product_ids``, typed by scheme) and the order
names its ``supplier_id``. The upcast from v2 is total. The downcast to v2 refuses, with
``NotRepresentable``, an order that v2 cannot hold (no price, a partial address, a ship-to given
only as a location); otherwise it loses only the v3-only fields.

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

from canonical.address import Address, PostalAddress
from canonical.casting import CastStep
from canonical.channel import Channel
from canonical.errors import NotRepresentable
from canonical.events.base import EventData
from canonical.events.consistency import require_one_currency, require_unique_line_numbers
from canonical.gtin import Gtin
from canonical.identifiers import CustomerRef, DocumentRef, LocationId, Sku, SupplierId
from canonical.money import CurrencyCode, Money
from canonical.product_id import ProductId
from canonical.quantity import Quantity
from canonical.timestamps import UtcDatetime

_Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]
_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
# VAT ids are at most 14 characters after the country prefix; other tax numbers (US EIN, GSTIN,
# ABN) are shorter still, so 32 leaves room for the separators sources print.
_TaxId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]

#: the schema's ``"default": []`` of a list field made by ``default_factory=list``: a factory
#: gives each line a new empty list where a ``[]`` default was deep-copied for every line that
#: left the field out (a tenth of validating an X12 850), and the published schema stays as it was
_EMPTY_LIST: dict[str, Any] = {"default": []}
_TYPE = "retail.order.created"
_V2_ONLY_FIELDS = ("billing_address", "loyalty_id", "buyer_tax_id")
_V3_ONLY_FIELDS = ("supplier_id", "ship_to_location_id", "lines[].product_ids")


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
    discounts: list[Discount] = Field(default_factory=list, json_schema_extra=_EMPTY_LIST)
    tax: list[TaxLine] = Field(default_factory=list, json_schema_extra=_EMPTY_LIST)

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


class OrderLineV3(BaseModel):
    """One ordered item, as a v3 order carries it: every id the sender gave, price optional."""

    model_config = _CONFIG

    line_no: Annotated[int, Field(ge=1)]
    sku: Sku
    """The id the retailer stocks the item under: the sender's preferred id (see the partner
    profile's qualifier preference), not necessarily a SKU of the sender's own."""
    product_ids: list[ProductId] = Field(default_factory=list, json_schema_extra=_EMPTY_LIST)
    """Every id the line named, in the order given, each with its scheme and qualifier."""
    gtin: Gtin | None = None
    description: _Text | None = None
    quantity: Quantity
    unit_price: Money | None = None
    """None for a line priced by catalogue or agreement (the price is not in the order)."""
    discounts: list[Discount] = Field(default_factory=list, json_schema_extra=_EMPTY_LIST)
    tax: list[TaxLine] = Field(default_factory=list, json_schema_extra=_EMPTY_LIST)

    @model_validator(mode="after")
    def _check_quantity(self) -> Self:
        if self.quantity.value <= 0:
            raise ValueError(f"line {self.line_no}: quantity {self.quantity.value} must be > 0")
        return self


class OrderTotalsV3(BaseModel):
    """Order-level totals as far as the source stated them (not recomputed here)."""

    model_config = _CONFIG

    subtotal: Money | None = None
    discount_total: Money | None = None
    tax_total: Money | None = None
    shipping_total: Money | None = None
    grand_total: Money | None = None


#: the totals' field names, read once: pydantic's class-level ``model_fields`` builds its answer
#: on every access (~0.1 ms), which was a tenth of validating a Shopify order
_TOTALS_FIELDS = tuple(OrderTotals.model_fields)
_TOTALS_V3_FIELDS = tuple(OrderTotalsV3.model_fields)


class OrderCreatedV3(EventData):
    """A customer or trade order was placed; prices, totals and address parts may be absent."""

    event_type: ClassVar[str] = _TYPE
    event_version: ClassVar[int] = 3

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
    supplier_id: SupplierId | None = None
    """The selling party of a trade order (X12 N1*SE/SU, EDIFACT NAD+SE/SU), when named."""
    currency: CurrencyCode | None = None
    """Currency of every amount in the order; required as soon as the order states an amount."""
    prices_include_tax: bool = False
    """True where unit prices already include tax (typical in the EU and UK)."""
    lines: Annotated[list[OrderLineV3], Field(min_length=1)]
    totals: OrderTotalsV3 | None = None
    """None when the source stated no totals (an order priced by catalogue)."""
    fulfillment: FulfillmentV2 | None = None
    """None for a sale handed over at the point of sale."""
    ship_to_location_id: LocationId | None = None
    """The store or warehouse the goods go to, when the ship-to is given as a location code."""
    shipping_address: PostalAddress | None = None
    """Where the goods go, as far as the source gave it."""
    billing_address: PostalAddress | None = None
    """Invoice address, which differs from the shipping address for gifts and company buyers."""

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.channel is Channel.STORE and self.location_id is None:
            raise ValueError("channel store requires location_id")
        require_unique_line_numbers(line.line_no for line in self.lines)
        amounts = list(_amounts_v3(self.lines, self.totals))
        if self.currency is None:
            if amounts:
                raise ValueError(f"currency is required: the order states {amounts[0][0]}")
        else:
            require_one_currency(self.currency, amounts, scope="order")
        fulfillment = self.fulfillment
        ship_to = self.shipping_address is not None or self.ship_to_location_id is not None
        if fulfillment is None:
            if ship_to:
                raise ValueError(
                    "a ship-to (shipping_address, ship_to_location_id) needs fulfillment"
                )
        elif fulfillment.method is not FulfillmentMethod.PICKUP_IN_STORE and not ship_to:
            raise ValueError(
                f"fulfillment method {fulfillment.method} requires shipping_address "
                "or ship_to_location_id"
            )
        return self


def _amounts_v3(
    lines: list[OrderLineV3], totals: OrderTotalsV3 | None
) -> Iterator[tuple[str, Money]]:
    for line in lines:
        if line.unit_price is not None:
            yield f"line {line.line_no} unit_price", line.unit_price
        for i, discount in enumerate(line.discounts):
            yield f"line {line.line_no} discounts[{i}]", discount.amount
        for i, tax in enumerate(line.tax):
            yield f"line {line.line_no} tax[{i}]", tax.amount
    if totals is not None:
        for name in _TOTALS_V3_FIELDS:
            amount = getattr(totals, name)
            if amount is not None:
                yield f"totals.{name}", amount


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
    for name in _TOTALS_FIELDS:
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


def order_created_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Upcast: every v2 order is a v3 order; the v3-only fields are unknown."""
    v3 = data | {"supplier_id": None, "ship_to_location_id": None}
    v3["lines"] = [line | {"product_ids": []} for line in data.get("lines", [])]
    return v3


def order_created_v3_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Downcast: v2 needs prices, full totals, a currency and a full address, or it refuses.

    Raises ``NotRepresentable`` naming each missing part; otherwise drops ``supplier_id``,
    ``ship_to_location_id`` and each line's ``product_ids``.
    """
    problems: list[str] = []
    if data.get("currency") is None:
        problems.append("currency is missing")
    for line in data.get("lines", []):
        if line.get("unit_price") is None:
            problems.append(f"line {line.get('line_no')} has no unit_price")
    totals = data.get("totals")
    missing = [n for n in OrderTotals.model_fields if (totals or {}).get(n) is None]
    if missing:
        problems.append("totals lack " + ", ".join(missing))
    for name in ("shipping_address", "billing_address"):
        address = data.get(name)
        if address is not None:
            gaps = [part for part in ("lines", "city", "country") if not address.get(part)]
            if gaps:
                problems.append(f"{name} lacks " + ", ".join(gaps))
    fulfillment = data.get("fulfillment")
    if (
        fulfillment is not None
        and fulfillment.get("method") != FulfillmentMethod.PICKUP_IN_STORE
        and data.get("shipping_address") is None
    ):
        problems.append("the ship-to is only a location (ship_to_location_id), not an address")
    if problems:
        raise NotRepresentable(_TYPE, 2, problems)
    v2 = {k: v for k, v in data.items() if k not in ("supplier_id", "ship_to_location_id")}
    v2["lines"] = [{k: v for k, v in line.items() if k != "product_ids"} for line in data["lines"]]
    return v2


ORDER_CREATED_CASTS = (
    CastStep(_TYPE, 1, 2, order_created_v1_to_v2),
    CastStep(_TYPE, 2, 1, order_created_v2_to_v1, lossy_fields=_V2_ONLY_FIELDS),
    CastStep(_TYPE, 2, 3, order_created_v2_to_v3),
    CastStep(_TYPE, 3, 2, order_created_v3_to_v2, lossy_fields=_V3_ONLY_FIELDS),
)
"""The casts between the versions of ``retail.order.created``."""
