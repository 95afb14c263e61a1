"""Values the X12 mapping specs compute with ``python:`` (what a path alone cannot read).

Each function takes the node the spec is at (the message tree, or a loop item) and returns
text or a list of text; the spec's transforms turn it into numbers or dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "address_lines",
    "not_stated",
    "order_total",
    "product_gtin",
    "product_sku",
    "qualified_id",
]

# where the (qualifier, id) pairs start in each item segment: PO106, IT106, LIN02, BLI01
_PAIRS_FROM = {"PO1": 6, "IT1": 6, "LIN": 2, "BLI": 1}
# the retailer's own item number first (SKU, buyer's item/part/catalog number), then the
# vendor's, so a SKU reads the same across a retailer's suppliers wherever the sender gives it
_SKU_QUALIFIERS = ("SK", "IN", "BP", "CB", "VN", "VP", "MG")
# UPC (12 digits), EAN (13), GTIN-14 and the UCC-12/EAN-13 consumer package codes
_GTIN_QUALIFIERS = ("UP", "EN", "UK", "UA", "UI", "EO")

# AMT01 codes that carry an order's total: TT total transaction amount, 1 line item total
_TOTAL_QUALIFIERS = ("TT", "1")


def address_lines(loop: Mapping[str, Any]) -> list[str]:
    """The street lines of an N1 loop item: N301, N302 of each N3, blanks left out."""
    lines: list[str] = []
    for n3 in loop.get("N3") or []:
        lines.extend(str(value) for value in n3[1:3] if isinstance(value, str) and value.strip())
    return lines


def order_total(message: Mapping[str, Any]) -> str | None:
    """The order total: AMT*TT (or AMT*1) when given, else the sum of PO1 quantity × price.

    ``None`` when a line has no price (the spec then reports the field as missing).
    """
    for qualifier in _TOTAL_QUALIFIERS:
        for amt in message.get("AMT") or []:
            if len(amt) > 2 and amt[1] == qualifier and amt[2].strip():
                return str(amt[2]).strip()
    total = Decimal(0)
    for item in message.get("PO1") or []:
        po1 = item["PO1"]
        try:
            total += Decimal(po1[2]) * Decimal(po1[4])
        except (IndexError, InvalidOperation, TypeError):
            return None
    return str(total)


def qualified_id(segment: Sequence[Any], qualifiers: Sequence[str], start: int) -> str | None:
    """The id of the first of ``qualifiers`` (in that order) among the pairs from ``start`` on.

    X12 product ids come as (qualifier, id) pairs: ``PO1…*VN*AB3542*UP*0123…``.
    """
    pairs: dict[str, str] = {}
    for i in range(start, len(segment) - 1, 2):
        qualifier, value = segment[i], segment[i + 1]
        if isinstance(qualifier, str) and isinstance(value, str) and value:
            pairs.setdefault(qualifier, value)
    for qualifier in qualifiers:  # in order of preference, not of position
        if qualifier in pairs:
            return str(pairs[qualifier])
    return None


def product_sku(item: Mapping[str, Any]) -> str | None:
    """The item's SKU from its PO1/IT1/LIN/BLI id pairs (see ``_SKU_QUALIFIERS``).

    Without any of those qualifiers, the first id that is not a GTIN.
    """
    segment, start = _item_segment(item)
    if segment is None:
        return None
    found = qualified_id(segment, _SKU_QUALIFIERS, start)
    if found is not None:
        return found
    for i in range(start, len(segment) - 1, 2):
        if segment[i] not in _GTIN_QUALIFIERS and segment[i + 1]:
            return str(segment[i + 1])
    return None


def product_gtin(item: Mapping[str, Any]) -> str | None:
    """The item's GTIN (UPC, EAN, GTIN-14) from its id pairs, if it carries one."""
    segment, start = _item_segment(item)
    return None if segment is None else qualified_id(segment, _GTIN_QUALIFIERS, start)


def _item_segment(item: Mapping[str, Any]) -> tuple[Sequence[Any] | None, int]:
    for tag, start in _PAIRS_FROM.items():
        segment = item.get(tag)
        if segment is not None:
            return segment, start
    return None, 0


def not_stated(_node: Mapping[str, Any]) -> str:
    """Zero, for a total the document type has no place for (an 850 states no tax or freight).

    A function rather than a ``const`` so the amount counts as read from the source and the
    object around it (with its currency) is kept.
    """
    return "0"
