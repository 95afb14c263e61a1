"""Values POSLog mapping specs compute from one ``LineItem`` (``python:`` expressions).

A line item holds its item under ``Sale`` or ``Return`` (ARTS ``SaleBase``/``ReturnBase``,
same children); these functions read whichever is there, so one spec covers the sales and
returns of an exchange. Stock moves opposite to the goods: a sale takes it out (negative
change), a return brings it back (positive).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from mappings.xml_text import XmlText

__all__ = ["gtin", "item", "item_id", "stock_change", "stock_reason", "unit"]

#: ARTS UnitOfMeasureCode (and common POS spellings) → UN/ECE Rec 20
_UNITS = {
    "EA": "C62",
    "EACH": "C62",
    "PCE": "C62",
    "C62": "C62",
    "LB": "LBR",
    "LBR": "LBR",
    "KG": "KGM",
    "KGM": "KGM",
    "G": "GRM",
    "GRM": "GRM",
    "OZ": "ONZ",
    "ONZ": "ONZ",
    "L": "LTR",
    "LTR": "LTR",
    "M": "MTR",
    "MTR": "MTR",
}
_GTIN_TYPES = frozenset({"GTIN", "UPC", "EAN", "UPCA", "UPCE", "EAN13", "EAN8"})


def item(line: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``Sale`` or ``Return`` of a line item (empty when it has neither)."""
    found = line.get("Sale") or line.get("Return")
    # concrete classes, not the Mapping ABC: these run per line item on the bulk path
    ok = found.__class__ is dict or found.__class__ is XmlText
    return cast(Mapping[str, Any], found) if ok else {}


def _text(value: Any) -> str | None:
    cls = value.__class__
    if cls is str or cls is XmlText:
        return str.strip(value)
    if cls is dict:
        return _text(value.get("#text"))
    if cls is list:
        return _text(value[0]) if value else None
    return None


def item_id(line: Mapping[str, Any]) -> str | None:
    """The item's ``ItemID`` (the retailer's SKU), else its POS identity."""
    found = item(line)
    return _text(found.get("ItemID")) or _text(_identity(found).get("POSItemID"))


def _identity(found: Mapping[str, Any]) -> Mapping[str, Any]:
    ident = found.get("POSIdentity")
    if ident.__class__ is list:
        ident = ident[0] if ident else {}
    ok = ident.__class__ is dict or ident.__class__ is XmlText
    return cast(Mapping[str, Any], ident) if ok else {}


def gtin(line: Mapping[str, Any]) -> str | None:
    """The scanned GTIN, when the POS identity says it is one."""
    ident = _identity(item(line))
    kind = str(ident.get("@POSIDType", "")).upper().replace("-", "")
    return _text(ident.get("POSItemID")) if kind in _GTIN_TYPES else None


def _quantity(line: Mapping[str, Any]) -> Any:
    return item(line).get("Quantity")


def stock_change(line: Mapping[str, Any]) -> Decimal | None:
    """Signed change of on-hand: minus the quantity sold, plus the quantity returned.

    ARTS allows ``Quantity`` to be left out for a single unit; a quantity that is not a
    number raises ``ValueError`` (the mapping reports it with the field and line).
    """
    found = item(line)
    if not found:
        return None
    text = _text(_quantity(line))
    try:
        value = Decimal(text) if text else Decimal(1)
    except InvalidOperation:
        raise ValueError(f"Quantity {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ValueError(f"Quantity {text!r} is not a decimal number")
    return -value if "Sale" in line else value


def stock_reason(line: Mapping[str, Any]) -> str:
    """``sale`` or ``return``."""
    return "sale" if "Sale" in line else "return"


def unit(line: Mapping[str, Any]) -> str:
    """The Rec 20 unit of the line's quantity.

    ``Quantity/@UnitOfMeasureCode`` when given. NCR ACS marks weighed items with
    ``@acs:weightItem`` instead and rings them in pounds (the US scale unit the sample logs
    use): ``LBR``. Anything else counts pieces: ``C62``.
    """
    quantity = _quantity(line)
    code = quantity.get("@UnitOfMeasureCode") if quantity.__class__ is XmlText else None
    if code:
        key = str(code).strip().upper()
        if key not in _UNITS:
            raise ValueError(f"unknown UnitOfMeasureCode {code!r}")
        return _UNITS[key]
    if str(line.get("@acs:weightItem", "")).lower() == "true":
        return "LBR"
    return "C62"
