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
    "invoice_total",
    "line_amount_total",
    "match_status",
    "match_type",
    "not_stated",
    "order_total",
    "ordered_quantity",
    "po_unit_price",
    "price_variance",
    "product_gtin",
    "product_sku",
    "qualified_id",
    "quantity_variance",
    "receipt_refs",
    "received_quantity",
    "total_variance",
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

    Without any of those qualifiers, the first id the segment carries (a book's EAN).
    """
    segment, start = _item_segment(item)
    if segment is None:
        return None
    found = qualified_id(segment, _SKU_QUALIFIERS, start)
    if found is not None:
        return found
    for i in range(start + 1, len(segment), 2):
        if isinstance(segment[i], str) and segment[i]:
            return str(segment[i])
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


def line_amount_total(message: Mapping[str, Any]) -> str | None:
    """The sum of the line amounts (AMT*1 in each BLI loop) of a 180: the refund total."""
    total = Decimal(0)
    for item in message.get("BLI") or []:
        amounts = [amt[2] for amt in item.get("AMT") or [] if len(amt) > 2 and amt[1] == "1"]
        if not amounts:
            return None
        try:
            total += Decimal(amounts[0])
        except InvalidOperation:
            return None
    return str(total)


# -- 810 invoice: the figures an invoice quotes about its PO and receipts -------------------

# REF01 codes naming the shipment an 856 announced: packing list, bill of lading, shipper's
# identifying number (the 856 BSN02), receiving report
_RECEIPT_QUALIFIERS = ("PK", "BM", "SI", "RV")


def receipt_refs(message: Mapping[str, Any]) -> list[str]:
    """The 856/receipt references of an 810 (REF*PK, BM, SI, RV), in document order."""
    return [
        str(ref[2]).strip()
        for ref in message.get("REF") or []
        if len(ref) > 2 and ref[1] in _RECEIPT_QUALIFIERS and str(ref[2]).strip()
    ]


def ordered_quantity(item: Mapping[str, Any]) -> str | None:
    """The PO quantity of an IT1 line: QTY*38 (original quantity) when quoted, else IT102."""
    for qty in item.get("QTY") or []:
        if len(qty) > 2 and qty[1] == "38":
            return str(qty[2])
    return _element(item.get("IT1"), 2)


def received_quantity(item: Mapping[str, Any]) -> str | None:
    """The quantity the referenced shipment delivered: IT301 (units shipped), if quoted."""
    it3 = (item.get("IT3") or [None])[0]
    return _element(it3, 1)


def po_unit_price(item: Mapping[str, Any]) -> str | None:
    """The PO unit price of an IT1 line: CTP*…*CON/PUR (contract/purchase price), else IT104."""
    for ctp in item.get("CTP") or []:
        if len(ctp) > 3 and ctp[2] in ("CON", "PUR") and ctp[3]:
            return str(ctp[3])
    return _element(item.get("IT1"), 4)


def quantity_variance(item: Mapping[str, Any]) -> str | None:
    """Invoiced − received (three-way, when IT3 quotes a receipt) or − ordered (two-way)."""
    invoiced = _decimal(_element(item.get("IT1"), 2))
    basis = _decimal(received_quantity(item) or ordered_quantity(item))
    return None if invoiced is None or basis is None else str(invoiced - basis)


def price_variance(item: Mapping[str, Any]) -> str | None:
    """Invoiced unit price − PO unit price."""
    invoiced = _decimal(_element(item.get("IT1"), 4))
    po = _decimal(po_unit_price(item))
    return None if invoiced is None or po is None else str(invoiced - po)


def invoice_total(message: Mapping[str, Any]) -> str | None:
    """TDS01, the invoice total, whose two decimals are implied (``28566`` is 285.66)."""
    cents = _decimal(_element(message.get("TDS"), 1))
    return None if cents is None else str(cents.scaleb(-2))


def total_variance(message: Mapping[str, Any]) -> str | None:
    """Invoice total − the PO value of the lines (ordered quantity × PO unit price)."""
    total = _decimal(invoice_total(message))
    if total is None:
        return None
    basis = Decimal(0)
    for item in message.get("IT1") or []:
        quantity, price = _decimal(ordered_quantity(item)), _decimal(po_unit_price(item))
        if quantity is None or price is None:
            return None
        basis += quantity * price
    return str(total - basis)


def match_status(message: Mapping[str, Any]) -> str:
    """``matched`` when no line nor the total differs from the PO/receipt, else ``mismatched``."""
    variances = [quantity_variance(i) for i in message.get("IT1") or []]
    variances += [price_variance(i) for i in message.get("IT1") or []]
    variances.append(total_variance(message))
    zero = all(v is not None and Decimal(v) == 0 for v in variances)
    return "matched" if zero else "mismatched"


def _element(segment: Sequence[Any] | None, index: int) -> str | None:
    if segment is None or len(segment) <= index or not isinstance(segment[index], str):
        return None
    return segment[index].strip() or None


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def match_type(message: Mapping[str, Any]) -> str:
    """``three_way`` when the 810 names its receipts and quotes each line's received quantity."""
    lines = message.get("IT1") or []
    if receipt_refs(message) and lines and all(received_quantity(i) for i in lines):
        return "three_way"
    return "two_way"
