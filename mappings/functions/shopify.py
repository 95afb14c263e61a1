"""Values Shopify mapping specs compute (``python:`` expressions): sums, addresses, fallbacks.

Shopify sends money as decimal text (``"199.00"``) and tax rates as fractions in JSON numbers
(``0.06``); both are read through their text into ``Decimal``, never through binary floats.

A line item's SKU is the shop's ``sku``. Shops leave it blank for custom items and products
nobody gave one; then, in :data:`SKU_PREFERENCE` order (or the partner profile's
``sku_qualifiers``, from the same names), the variant's ``barcode``, then Shopify's own ids as
``shopify-variant:<variant_id>`` and ``shopify-product:<product_id>``, and for a custom item
with neither, ``shopify-line-item:<id>``. Every id the line has is kept in ``product_ids``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from canonical.gtin import check_gtin
from mappings.partner_profile import current_profile

__all__ = [
    "SKU_PREFERENCE",
    "event_time",
    "fulfillment_method",
    "line_items_total",
    "line_product_ids",
    "line_sku",
    "rate_percent",
    "refund_line_amount",
    "refund_lines",
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


#: a line item's ids in the order they stand in for a SKU (names as in the body)
SKU_PREFERENCE = ("sku", "barcode", "variant_id", "product_id")
_ID_PREFIX = {"variant_id": "shopify-variant:", "product_id": "shopify-product:"}


def _line(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The line item itself (a refund line carries it under ``line_item``)."""
    inner = item.get("line_item")
    return inner if isinstance(inner, Mapping) else item


def _ids(line: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key in SKU_PREFERENCE:
        value = line.get(key)
        text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
        if text:
            found.append((key, _ID_PREFIX.get(key, "") + text))
    return found


def line_sku(item: Mapping[str, Any]) -> str | None:
    """The line's SKU: ``sku``, else the first of barcode, variant and product id (see the
    module doc; a partner profile may reorder them), else ``shopify-line-item:<id>``."""
    line = _line(item)
    chosen = current_profile().choose_id(_ids(line), default=SKU_PREFERENCE)
    if chosen is not None:
        return chosen[1]
    ident = line.get("id")
    return f"shopify-line-item:{ident}" if ident is not None else None


def line_product_ids(item: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every id of the line: its SKU, its barcode (a GTIN when the check digit holds, else
    scheme other), its variant and product ids (scheme other, qualified by their key)."""
    out: list[dict[str, str]] = []
    for key, value in _ids(_line(item)):
        scheme = "sku" if key == "sku" else "other"
        if key == "barcode":
            try:
                check_gtin(value)
                scheme = "gtin"
            except ValueError:
                scheme = "other"
        out.append({"scheme": scheme, "value": value, "qualifier": key})
    return out


def line_items_total(order: Mapping[str, Any]) -> Decimal | None:
    """The order's subtotal: ``total_line_items_price`` when sent, else the lines' price ×
    quantity summed (bodies of older API versions and draft-style exports leave it out)."""
    stated = order.get("total_line_items_price")
    if stated is not None and str(stated).strip():
        return _decimal(stated, "total_line_items_price")
    lines = [line for line in order.get("line_items") or [] if isinstance(line, Mapping)]
    if not lines or any(line.get("price") is None for line in lines):
        return None
    return sum(
        (
            _decimal(line["price"], "price") * _decimal(line.get("quantity", 1), "quantity")
            for line in lines
        ),
        Decimal("0.00"),
    )


def event_time(body: Mapping[str, Any]) -> str | None:
    """When an inventory body happened: ``updated_at``, else the time the reader found on its
    file (``@received_at``: an adjust request carries no time of its own)."""
    stated = body.get("updated_at")
    if stated:
        return str(stated)
    written = body.get("@received_at")
    return str(written) if written else None


def shipping_total(order: Mapping[str, Any]) -> Decimal | None:
    """The order's shipping charge: ``total_shipping_price_set`` when sent, else the sum of
    ``shipping_lines`` (none: 0.00); a body with neither states no shipping charge at all."""
    if "total_shipping_price_set" not in order and "shipping_lines" not in order:
        return None
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


def _presentment(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A refund line's ``subtotal_set.presentment_money``, when the body has it."""
    price_set = item.get("subtotal_set")
    money = price_set.get("presentment_money") if isinstance(price_set, Mapping) else None
    return money if isinstance(money, Mapping) and money.get("amount") is not None else None


def refund_lines(refund: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The refund's ``refund_line_items``, each with the ``restock_type`` it stands for.

    Shopify documents ``restock_type`` with the default ``no_restock``; bodies of API versions
    before it (2018) carry one ``restock`` flag for the whole refund instead, which Shopify now
    reports as ``legacy_restock``. A line without the field takes the refund's flag, else that
    default: a refund never puts stock back unless the body says so.

    A line's amount is in the presentment currency where the body states it (the currency of
    the refund transactions, the refund's currency): one stated in another currency is refused
    rather than labelled with the transactions' currency.
    """
    legacy = refund.get("restock")
    fallback = "legacy_restock" if legacy is True else "no_restock"
    currency = None
    for transaction in refund.get("transactions") or []:
        if isinstance(transaction, Mapping):
            currency = transaction.get("currency")
            break
    lines: list[Mapping[str, Any]] = []
    for index, item in enumerate(refund.get("refund_line_items") or []):
        if not isinstance(item, Mapping):
            lines.append(item)  # the mapping names what is wrong with it
            continue
        money = _presentment(item)
        stated = money.get("currency_code") if money is not None else None
        if stated and currency and str(stated).strip() != str(currency).strip():
            raise ValueError(
                f"refund_line_items[{index}].subtotal_set.presentment_money is in {stated}, "
                f"the refund transactions in {currency}"
            )
        stated_type = item.get("restock_type")
        lines.append(item if stated_type is not None else {**item, "restock_type": fallback})
    return lines


def refund_line_amount(item: Mapping[str, Any]) -> Decimal | None:
    """What a refund line pays back, in the refund's currency: ``subtotal_set``'s presentment
    amount when sent (``subtotal`` is in the shop currency, which a multi-currency order's
    refund is not paid in), else ``subtotal``, else price × quantity."""
    money = _presentment(item)
    if money is not None:
        return _decimal(money["amount"], "subtotal_set presentment amount")
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
