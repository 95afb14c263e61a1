"""Values Shopify mapping specs compute (``python:`` expressions): sums, addresses, fallbacks.

Shopify sends money as decimal text (``"199.00"``) and tax rates as fractions in JSON numbers
(``0.06``); both are read through their text into ``Decimal``, never through binary floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "fulfillment_method",
    "line_sku",
    "rate_percent",
    "refund_line_amount",
    "refund_total",
    "shipping_total",
    "street_lines",
]


def _decimal(value: Any, what: str) -> Decimal:
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{what} {value!r} is not a decimal number")
    return number


def street_lines(address: Mapping[str, Any]) -> list[str] | None:
    """``address1`` and ``address2`` as street lines, blanks left out."""
    lines = [str(address.get(k) or "").strip() for k in ("address1", "address2")]
    found = [line for line in lines if line]
    return found or None


def fulfillment_method(order: Mapping[str, Any]) -> str | None:
    """``ship`` when the order has a shipping address; otherwise none (handed over or digital)."""
    return "ship" if order.get("shipping_address") else None


def line_sku(item: Mapping[str, Any]) -> str | None:
    """The line's SKU; a custom item without one is named by its variant (``variant-<id>``)."""
    line = item.get("line_item") if isinstance(item.get("line_item"), Mapping) else item
    assert isinstance(line, Mapping)
    sku = str(line.get("sku") or "").strip()
    if sku:
        return sku
    variant = line.get("variant_id")
    return f"variant-{variant}" if variant is not None else None


def shipping_total(order: Mapping[str, Any]) -> Decimal:
    """The order's shipping charge: ``total_shipping_price_set`` when sent, else the lines' sum."""
    price_set = order.get("total_shipping_price_set")
    if isinstance(price_set, Mapping):
        shop = price_set.get("shop_money")
        if isinstance(shop, Mapping) and shop.get("amount") is not None:
            return _decimal(shop["amount"], "total_shipping_price_set")
    total = Decimal("0.00")
    for line in order.get("shipping_lines") or []:
        if isinstance(line, Mapping) and line.get("price") is not None:
            total += _decimal(line["price"], "shipping_lines price")
    return total


def rate_percent(tax_line: Mapping[str, Any]) -> Decimal | None:
    """Shopify's tax ``rate`` is a fraction (0.06); the canonical rate is in percent (6)."""
    rate = tax_line.get("rate")
    if rate is None:
        return None
    return (_decimal(rate, "tax rate") * 100).normalize()


def refund_line_amount(item: Mapping[str, Any]) -> Decimal | None:
    """What a refund line pays back: its ``subtotal`` when sent, else price × quantity."""
    if item.get("subtotal") is not None:
        return _decimal(item["subtotal"], "subtotal")
    line = item.get("line_item")
    if not isinstance(line, Mapping) or line.get("price") is None:
        return None
    quantity = _decimal(item.get("quantity", line.get("quantity", 1)), "quantity")
    return _decimal(line["price"], "price") * quantity


def refund_total(refund: Mapping[str, Any]) -> Decimal | None:
    """The money actually paid back: the successful ``refund`` transactions, summed."""
    paid = [
        _decimal(t.get("amount"), "transaction amount")
        for t in refund.get("transactions") or []
        if isinstance(t, Mapping) and t.get("kind") == "refund" and t.get("status") == "success"
    ]
    return sum(paid, Decimal("0.00")) if paid else None
