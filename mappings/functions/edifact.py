"""Values derived from several places of an EDIFACT tree, for specs' ``python:`` hooks.

Each hook takes the node the spec is at (the message, or one ``LIN`` group item) and returns
text or ``Decimal`` the spec then transforms and validates like any read value. Numbers in the
tree are already written with ``.`` (:mod:`.numbers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

__all__ = [
    "delivery_address",
    "delivery_method",
    "invoice_match_status",
    "invoiced_quantity",
    "invoiced_unit_price",
    "item_sku",
    "line_price_variance",
    "line_quantity_variance",
    "order_discount_total",
    "order_grand_total",
    "order_shipping_total",
    "order_subtotal",
    "order_tax_total",
    "ordered_quantity",
    "po_ref",
    "po_unit_price",
    "requested_delivery",
]

# QTY 6063 qualifiers: 47 invoiced, 12 despatched, 46 delivered, 21 ordered
_INVOICED_QTY = ("47", "12", "46")
_ORDERED_QTY = ("21",)
# PRI 5125 qualifiers: AAA calculation net, AAB calculation gross
_NET_PRICE, _GROSS_PRICE = "AAA", "AAB"


def _component(segment: Any, element: int, component: int) -> str:
    if not isinstance(segment, list) or element >= len(segment):
        return ""
    parts = segment[element]
    return parts[component] if isinstance(parts, list) and component < len(parts) else ""


def _segments(node: Mapping[str, Any], tag: str) -> Iterable[Any]:
    """The segments ``tag`` under ``node``, whether plain or opening group items."""
    for entry in node.get(tag) or ():
        yield entry[tag] if isinstance(entry, Mapping) else entry


def _qualified(node: Mapping[str, Any], tag: str, qualifiers: Iterable[str]) -> Decimal | None:
    """The number (element 1 component 2) of the first ``tag`` whose qualifier comes first."""
    found = {_component(s, 1, 1): _component(s, 1, 2) for s in reversed(list(_segments(node, tag)))}
    for qualifier in qualifiers:
        if found.get(qualifier):
            return Decimal(found[qualifier])
    return None


def _first(*values: Decimal | None) -> Decimal | None:
    """The first value that is not ``None`` (zero is a value)."""
    return next((value for value in values if value is not None), None)


def _lines(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(message.get("LIN") or ())


def _price(line: Mapping[str, Any], qualifier: str) -> Decimal | None:
    """Unit price of one ``PRI`` qualifier, divided by its price basis (PRI 1.5, e.g. per 100)."""
    for segment in _segments(line, "PRI"):
        if _component(segment, 1, 1) == qualifier and _component(segment, 1, 2):
            basis = _component(segment, 1, 5)
            price = Decimal(_component(segment, 1, 2))
            return price / Decimal(basis) if basis and Decimal(basis) else price
    return None


def item_sku(line: Mapping[str, Any]) -> str | None:
    """The supplier's article number (PIA code SA), else the LIN item number (LIN 3.1).

    PIA may carry up to five numbers (C212, elements 2 to 6); the first with code SA wins.
    """
    for segment in _segments(line, "PIA"):
        for element in range(2, 7):
            if _component(segment, element, 2) == "SA" and _component(segment, element, 1):
                return _component(segment, element, 1)
    lin = line.get("LIN")
    return _component(lin, 3, 1) or None


def invoiced_quantity(line: Mapping[str, Any]) -> Decimal | None:
    """QTY 47 (invoiced), else 12 (despatched), else 46 (delivered)."""
    return _qualified(line, "QTY", _INVOICED_QTY)


def ordered_quantity(line: Mapping[str, Any]) -> Decimal | None:
    """QTY 21 when the supplier states the ordered quantity, else the invoiced quantity."""
    ordered = _qualified(line, "QTY", _ORDERED_QTY)
    return ordered if ordered is not None else invoiced_quantity(line)


def invoiced_unit_price(line: Mapping[str, Any]) -> Decimal | None:
    """The net unit price (PRI AAA per its basis), else the gross one (AAB)."""
    return _first(_price(line, _NET_PRICE), _price(line, _GROSS_PRICE))


def po_unit_price(line: Mapping[str, Any]) -> Decimal | None:
    """The PO price as the invoice states it: gross (AAB) when given, else net (AAA)."""
    return _first(_price(line, _GROSS_PRICE), _price(line, _NET_PRICE))


def line_quantity_variance(line: Mapping[str, Any]) -> Decimal | None:
    """Invoiced minus ordered quantity (a two-way match)."""
    invoiced, ordered = invoiced_quantity(line), ordered_quantity(line)
    return None if invoiced is None or ordered is None else invoiced - ordered


def line_price_variance(line: Mapping[str, Any]) -> Decimal | None:
    """Invoiced minus PO unit price."""
    invoiced, ordered = invoiced_unit_price(line), po_unit_price(line)
    return None if invoiced is None or ordered is None else invoiced - ordered


def invoice_match_status(message: Mapping[str, Any]) -> str:
    """``matched`` when every line's variances are zero, else ``mismatched`` (zero tolerance)."""
    for line in _lines(message):
        if line_quantity_variance(line) or line_price_variance(line):
            return "mismatched"
    return "matched"


def po_ref(message: Mapping[str, Any]) -> str | None:
    """The order number: the message's RFF ON, else the first line's (INVOIC SG1 or SG29)."""
    for node in (message, *_lines(message)):
        for segment in _segments(node, "RFF"):
            if _component(segment, 1, 1) == "ON" and _component(segment, 1, 2):
                return _component(segment, 1, 2)
    return None


def order_subtotal(message: Mapping[str, Any]) -> Decimal | None:
    """MOA 79 (total line items amount), else the sum of ordered quantity × net unit price.

    An ORDERS often leaves the summary out, since the lines already say everything; the sum is
    only taken when every line has both figures.
    """
    stated = _qualified(message, "MOA", ("79",))
    if stated is not None:
        return stated
    total = Decimal(0)
    for line in _lines(message):
        quantity = _qualified(line, "QTY", _ORDERED_QTY)
        price = invoiced_unit_price(line)
        if quantity is None or price is None:
            return None
        total += quantity * price
    return total


def order_tax_total(message: Mapping[str, Any]) -> Decimal:
    """MOA 124 (tax amount) or 176 (message tax total), else zero."""
    return _first(_qualified(message, "MOA", ("124", "176")), Decimal(0)) or Decimal(0)


def order_discount_total(message: Mapping[str, Any]) -> Decimal:
    """MOA 204 (allowance amount), else zero."""
    return _first(_qualified(message, "MOA", ("204",)), Decimal(0)) or Decimal(0)


def order_shipping_total(message: Mapping[str, Any]) -> Decimal:
    """MOA 64 (freight charge), else zero."""
    return _first(_qualified(message, "MOA", ("64",)), Decimal(0)) or Decimal(0)


def order_grand_total(message: Mapping[str, Any]) -> Decimal | None:
    """MOA 86 (message total) or 77 (invoice amount), else subtotal plus tax."""
    stated = _qualified(message, "MOA", ("86", "77"))
    if stated is not None:
        return stated
    subtotal = order_subtotal(message)
    return None if subtotal is None else subtotal + order_tax_total(message)


# NAD elements: 4 C080 party name, 5 C059 street, 6 3164 city, 7 C819 region, 8 3251 postcode,
# 9 3207 country. DP = delivery party, ST = ship to.
_DELIVERY_PARTIES = ("DP", "ST")


def _delivery_party(message: Mapping[str, Any]) -> Any:
    for qualifier in _DELIVERY_PARTIES:
        for segment in _segments(message, "NAD"):
            if _component(segment, 1, 1) == qualifier:
                return segment
    return None


def delivery_address(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The structured address of the delivery party (NAD DP, else ST); ``None`` without one.

    A party given by its identifier alone (a GLN) has no address here; a partly written one
    is returned as it is, so validation names the missing part.
    """
    nad = _delivery_party(message)
    if nad is None:
        return None
    street = [_component(nad, 5, i) for i in range(1, 5) if _component(nad, 5, i)]
    parts = {
        "name": " ".join(_component(nad, 4, i) for i in range(1, 6) if _component(nad, 4, i)),
        "city": _component(nad, 6, 1),
        "region": _component(nad, 7, 1),
        "postal_code": _component(nad, 8, 1),
        "country": _component(nad, 9, 1),
    }
    if not street and not any(parts.values()):
        return None
    address: dict[str, Any] = {key: value or None for key, value in parts.items()}
    address["lines"] = street
    return address


def delivery_method(message: Mapping[str, Any]) -> str | None:
    """``ship`` when the order names a delivery address, else ``None`` (no fulfillment)."""
    return "ship" if delivery_address(message) is not None else None


def requested_delivery(message: Mapping[str, Any]) -> str | None:
    """DTM 2 (delivery date requested), when the order ships to an address."""
    if delivery_method(message) is None:
        return None
    for segment in _segments(message, "DTM"):
        if _component(segment, 1, 1) == "2" and _component(segment, 1, 2):
            return _component(segment, 1, 2)
    return None
