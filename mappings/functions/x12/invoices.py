"""X12 810 invoices against the PO figures they quote, for ``retail.invoice.matched`` v1.

Three-way when the 810 names the 856/receipt (REF ``PK``, ``BM``, ``SI``, ``RV``) and quotes
each line's received quantity (IT301); else two-way against the PO quantity (``QTY*38``, else
IT102) and the PO price (CTP ``CON``/``PUR``, else IT104). IT104 is the price of the basis
IT105 names (a hundred units for ``HP``, see :func:`.values.unit_price`), brought to one
unit: the quantities count units, so a price per hundred compared or multiplied as it stands
is a hundred times off. BIG01 is the invoice date (6 or 8
digits); the PO number is BIG04, else ``REF*PO``, else the ``PO`` pair every IT1 line carries
(a header-level invoice puts it there).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from mappings.functions.x12.product_ids import qualified_pairs
from mappings.functions.x12.values import element, parse_date, unit, unit_price

__all__ = [
    "invoice_date",
    "invoice_po_ref",
    "invoice_total",
    "invoice_unit",
    "invoiced_unit_price",
    "match_status",
    "match_type",
    "ordered_quantity",
    "po_unit_price",
    "price_variance",
    "quantity_variance",
    "receipt_refs",
    "received_quantity",
    "received_unit",
    "total_variance",
]

# REF01 codes naming the shipment an 856 announced: packing list, bill of lading, shipper's
# identifying number (the 856 BSN02), receiving report
_RECEIPT_QUALIFIERS = ("PK", "BM", "SI", "RV")


def invoice_date(message: Mapping[str, Any]) -> date | None:
    """BIG01, the invoice date."""
    text = element(message.get("BIG"), 1)
    return None if text is None else parse_date(text, "BIG01")


def invoice_po_ref(message: Mapping[str, Any]) -> str | None:
    """The PO the invoice bills: BIG04, else ``REF*PO``, else the lines' one ``PO`` pair."""
    stated = element(message.get("BIG"), 4)
    if stated is not None:
        return stated
    for ref in message.get("REF") or []:
        if element(ref, 1) == "PO" and (text := element(ref, 2)) is not None:
            return text
    on_lines = {_line_po(item) for item in message.get("IT1") or []}
    return on_lines.pop() if len(on_lines) == 1 else None


def invoice_unit(item: Mapping[str, Any]) -> str | None:
    """IT103 as a UN/ECE Rec 20 unit (``None`` when left out: the spec then counts each)."""
    code = element(item.get("IT1"), 3)
    return None if code is None else unit(code, "IT103")


def received_unit(item: Mapping[str, Any]) -> str | None:
    """IT302, the unit of the shipped quantity, as a Rec 20 unit."""
    code = element((item.get("IT3") or [None])[0], 2)
    return None if code is None else unit(code, "IT302")


def receipt_refs(message: Mapping[str, Any]) -> list[str]:
    """The 856/receipt references of an 810 (REF*PK, BM, SI, RV), in document order."""
    return [
        text
        for ref in message.get("REF") or []
        if element(ref, 1) in _RECEIPT_QUALIFIERS and (text := element(ref, 2)) is not None
    ]


def ordered_quantity(item: Mapping[str, Any]) -> str | None:
    """The PO quantity of an IT1 line: QTY*38 (original quantity) when quoted, else IT102."""
    for qty in item.get("QTY") or []:
        if element(qty, 1) == "38":
            return element(qty, 2)
    return element(item.get("IT1"), 2)


def received_quantity(item: Mapping[str, Any]) -> str | None:
    """The quantity the referenced shipment delivered: IT301 (units shipped), if quoted."""
    it3 = (item.get("IT3") or [None])[0]
    return element(it3, 1)


def invoiced_unit_price(item: Mapping[str, Any]) -> str | None:
    """The billed price of one unit: IT104 per its basis IT105."""
    it1 = item.get("IT1")
    price = unit_price(element(it1, 4), element(it1, 5), "IT104")
    return None if price is None else str(price)


def po_unit_price(item: Mapping[str, Any]) -> str | None:
    """The PO unit price of an IT1 line: CTP*…*CON/PUR (contract/purchase price), else the
    billed one (IT104 per IT105)."""
    for ctp in item.get("CTP") or []:
        if element(ctp, 2) in ("CON", "PUR") and (text := element(ctp, 3)) is not None:
            return text
    return invoiced_unit_price(item)


def quantity_variance(item: Mapping[str, Any]) -> str | None:
    """Invoiced − received (three-way, when IT3 quotes a receipt) or − ordered (two-way)."""
    invoiced = _decimal(element(item.get("IT1"), 2))
    basis = _decimal(received_quantity(item) or ordered_quantity(item))
    return None if invoiced is None or basis is None else str(invoiced - basis)


def price_variance(item: Mapping[str, Any]) -> str | None:
    """Invoiced unit price − PO unit price."""
    invoiced = _decimal(invoiced_unit_price(item))
    po = _decimal(po_unit_price(item))
    return None if invoiced is None or po is None else str(invoiced - po)


def invoice_total(message: Mapping[str, Any]) -> str | None:
    """TDS01, the invoice total, whose two decimals are implied (``28566`` is 285.66)."""
    cents = _decimal(element(message.get("TDS"), 1))
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


def match_type(message: Mapping[str, Any]) -> str:
    """``three_way`` when the 810 names its receipts and quotes each line's received quantity."""
    lines = message.get("IT1") or []
    if receipt_refs(message) and lines and all(received_quantity(i) for i in lines):
        return "three_way"
    return "two_way"


def _line_po(item: Mapping[str, Any]) -> str | None:
    return next((value for code, value in qualified_pairs(item) if code == "PO"), None)


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
