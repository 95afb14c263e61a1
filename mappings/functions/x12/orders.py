"""X12 850 purchase orders as the 004010 850 makes them optional, for ``retail.order.created`` v3.

What a real 850 may leave out, and what the event then says:

- the unit price (PO104): a line priced by catalogue or agreement has none. It may instead be
  in the line's CTP segment (CTP02 ``UCP`` unit cost price, ``CON``, ``PUR``, ``NET``; never a
  retail price); with neither, the line's ``unit_price`` is absent. PO105 ``HP``/``TP`` price
  per hundred/thousand are brought to one unit, ``NC`` (no charge) is zero;
- totals: only what the order states: ``AMT*1`` (line item total) is the subtotal, ``AMT*TT``
  the grand total, header ``SAC*A`` amounts the discount total, ``SAC*C`` freight (``D240``)
  the shipping total, ``TXI`` (else ``SAC*C*H850``) the tax total. Nothing is summed up from
  the lines: an order priced by catalogue has no total to state;
- the currency (CUR): see :func:`mappings.functions.x12.values.currency`, given only when the
  order states an amount;
- the ship-to: an ``N1*ST`` loop with an address, or only a store/DC code (N104), or both;
- the requested delivery date: DTM ``002``, else ``063`` (do not deliver after), else ``106``.

An 850 whose BEG01 cancels (``01``) or deletes (``03``) an order is not a new order: it is
refused naming BEG01 (the hub has no cancellation event yet).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from mappings.codelists import code_list
from mappings.functions.x12.parties import party
from mappings.functions.x12.product_ids import qualified_pairs
from mappings.functions.x12.values import (
    amount,
    currency,
    element,
    implied_cents,
    moment,
    unit,
    unit_price,
)

__all__ = [
    "line_description",
    "line_unit",
    "order_currency",
    "order_date",
    "order_discount_total",
    "order_grand_total",
    "order_lines",
    "order_number",
    "order_shipping_total",
    "order_subtotal",
    "order_tax_total",
    "requested_delivery",
]

_NOT_AN_ORDER = {"01": "cancels", "03": "deletes"}
_FREIGHT = "D240"
_TAX = "H850"


def order_number(message: Mapping[str, Any]) -> str | None:
    """BEG03, the purchase order number, of an 850 that places (or replaces) an order."""
    beg = message.get("BEG")
    purpose = element(beg, 1)
    if purpose in _NOT_AN_ORDER:
        raise ValueError(
            f"BEG01 {purpose!r} {_NOT_AN_ORDER[purpose]} order {element(beg, 3)!r}: "
            "not a new order (Crossdock maps no order cancellation yet)"
        )
    return element(beg, 3)


def order_date(message: Mapping[str, Any]) -> datetime | None:
    """BEG05, the purchase order date (6 or 8 digits)."""
    return moment(message.get("BEG"), 5, None, "BEG")


def order_currency(message: Mapping[str, Any]) -> str | None:
    """The currency of the order's amounts; ``None`` when it states none and no ``CUR``."""
    if message.get("CUR") is None and not _states_amount(message):
        return None
    return currency(message)


def order_lines(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each PO1 loop item with its computed ``unit_price`` and ``discounts`` (Money data).

    An 850 without a PO1 loop is refused: PO1 is mandatory, and an order of nothing is not
    an order.
    """
    if not message.get("PO1"):
        raise ValueError("the 850 has no PO1 line item (PO1 is mandatory in an 850)")
    code = currency(message)
    return [
        {
            **item,
            "unit_price": _money(_unit_price(item), code),
            # most lines have no SAC: their empty list is made without a generator
            "discounts": list(_line_discounts(item, code)) if item.get("SAC") else [],
        }
        for item in message.get("PO1") or []
    ]


def line_unit(item: Mapping[str, Any]) -> str | None:
    """PO103 as a UN/ECE Rec 20 unit (the partner's ``default_unit`` when left out)."""
    return unit(element(item.get("PO1"), 3), "PO103")


def line_description(item: Mapping[str, Any]) -> str | None:
    """The free-form description: PID05 of the first ``PID*F`` that has one, else the
    line's ``PD`` (part number description) pair."""
    for pid in item.get("PID") or []:
        if element(pid, 1) == "F" and (text := element(pid, 5)) is not None:
            return text
    return next((text for code, text in qualified_pairs(item) if code == "PD"), None)


def order_subtotal(message: Mapping[str, Any]) -> dict[str, str] | None:
    """``AMT*1`` (line item total), when the order states it."""
    return _money(_stated_amount(message, "1"), currency(message))


def order_grand_total(message: Mapping[str, Any]) -> dict[str, str] | None:
    """``AMT*TT`` (total transaction amount), when the order states it."""
    return _money(_stated_amount(message, "TT"), currency(message))


def order_discount_total(message: Mapping[str, Any]) -> dict[str, str] | None:
    """The sum of the order's header allowances (``SAC*A`` with an amount)."""
    found = [v for sac in _header_sacs(message, "A") if (v := _sac_amount(sac)) is not None]
    return _money(sum(found, Decimal(0)) if found else None, currency(message))


def order_shipping_total(message: Mapping[str, Any]) -> dict[str, str] | None:
    """The sum of the order's header freight charges (``SAC*C*D240``)."""
    found = [_sac_amount(s) for s in _header_sacs(message, "C") if element(s, 2) == _FREIGHT]
    stated = [value for value in found if value is not None]
    return _money(sum(stated, Decimal(0)) if stated else None, currency(message))


def order_tax_total(message: Mapping[str, Any]) -> dict[str, str] | None:
    """The order's tax: its header TXI amounts, else its ``SAC*C*H850`` charges."""
    taxes = [v for txi in message.get("TXI") or [] if (v := _txi_amount(txi)) is not None]
    if not taxes:
        found = [_sac_amount(s) for s in _header_sacs(message, "C") if element(s, 2) == _TAX]
        taxes = [value for value in found if value is not None]
    return _money(sum(taxes, Decimal(0)) if taxes else None, currency(message))


def requested_delivery(message: Mapping[str, Any]) -> datetime | None:
    """The date the goods must arrive by (DTM ``002``, ``063``, ``106``), with its time.

    Only for an order that names its ship-to: the date belongs to the shipment, which the
    event holds only with its ship-to.
    """
    if party(message, ("ship_to",)) is None:
        return None
    listed = code_list("x12-374-date")
    best: tuple[int, Sequence[Any]] | None = None
    for dtm in message.get("DTM") or []:
        entry = listed.get(element(dtm, 1)) or {}
        if entry.get("delivery_by") and (best is None or int(entry["rank"]) < best[0]):
            best = (int(entry["rank"]), dtm)
    return moment(best[1], 2, 3, "DTM") if best is not None else None


def _unit_price(item: Mapping[str, Any]) -> Decimal | None:
    po1 = item.get("PO1")
    price = unit_price(element(po1, 4), element(po1, 5), "PO104")
    if price is None:
        paid = code_list("x12-236-price")
        for ctp in item.get("CTP") or []:
            if paid.value(element(ctp, 2), "paid") and (text := element(ctp, 3)) is not None:
                return amount(text, "CTP03")
    return price


def _line_discounts(item: Mapping[str, Any], code: str) -> Iterator[dict[str, Any]]:
    for sac in item.get("SAC") or []:
        value = _sac_amount(sac) if element(sac, 1) == "A" else None
        if value is not None:
            yield {
                "code": element(sac, 2),
                "description": element(sac, 15),
                "amount": _money(value, code),
            }


def _header_sacs(message: Mapping[str, Any], kind: str) -> list[Sequence[Any]]:
    return [sac for sac in message.get("SAC") or [] if element(sac, 1) == kind]


def _sac_amount(sac: Sequence[Any]) -> Decimal | None:
    return implied_cents(element(sac, 5), "SAC05")


def _txi_amount(txi: Sequence[Any]) -> Decimal | None:
    return amount(element(txi, 2), "TXI02")


def _stated_amount(message: Mapping[str, Any], qualifier: str) -> Decimal | None:
    for amt in message.get("AMT") or []:
        if element(amt, 1) == qualifier and (text := element(amt, 2)) is not None:
            return amount(text, f"AMT*{qualifier} AMT02")
    return None


def _states_amount(message: Mapping[str, Any]) -> bool:
    if message.get("AMT") or message.get("TXI") or message.get("SAC"):
        return True
    return any(
        element(item.get("PO1"), 4) is not None or item.get("CTP") or item.get("SAC")
        for item in message.get("PO1") or []
    )


def _money(value: Decimal | None, code: str) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value), "currency": code}
