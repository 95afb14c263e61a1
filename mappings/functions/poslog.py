"""Values POSLog mapping specs compute (``python:`` expressions), from 2.x to version 6.

A transaction's identity: the store is ``RetailStoreID`` (2.x) or ``BusinessUnit/UnitID``
(version 6), read by :func:`store_id`; :func:`transaction_ref` and :func:`transaction_time`
build on it.

A line item holds its item under ``Sale`` or ``Return`` (ARTS ``SaleBase``/``ReturnBase``,
same children); these functions read whichever is there, so one spec covers the sales and
returns of an exchange. Stock moves opposite to the goods: a sale takes it out (negative
change), a return brings it back (positive). Version 6 may give several ``ItemID`` elements
typed by ``@Type``; the SKU is the untyped or SKU-typed one, a GTIN-typed one is the GTIN.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from mappings.xml_text import XmlText

__all__ = [
    "gtin",
    "item",
    "item_id",
    "linked_transaction",
    "stock_change",
    "stock_reason",
    "store_id",
    "transaction_ref",
    "transaction_time",
    "unit",
]

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


def store_id(transaction: Mapping[str, Any]) -> str | None:
    """The store of a transaction: ``RetailStoreID`` (POSLog 2.x), else ``BusinessUnit/UnitID``
    (POSLog 6; the unit typed ``RetailStore`` first when the business unit names several)."""
    store = _text(transaction.get("RetailStoreID"))
    if store:
        return store
    unit = transaction.get("BusinessUnit")
    units = unit if unit.__class__ is list else [unit]
    ids: list[Any] = []
    for each in units:
        if each.__class__ is dict:
            found = each.get("UnitID")
            ids += found if found.__class__ is list else [found]
        elif isinstance(each, str):  # a business unit written with its id as its text
            ids.append(each)
    typed = [
        (str(i.get("@TypeCode") or "") if i.__class__ is XmlText else "", str.strip(i))
        for i in ids
        if isinstance(i, str)
    ]
    for type_code, text in typed:
        if type_code == "RetailStore" and text:
            return text
    return next((text for _, text in typed if text), None)


def transaction_ref(transaction: Mapping[str, Any]) -> str | None:
    """The ARTS identity of a transaction: ``store/workstation/business day/sequence``."""
    parts = [
        store_id(transaction),
        _text(transaction.get("WorkstationID")),
        _text(transaction.get("BusinessDayDate")),
        _text(transaction.get("SequenceNumber")),
    ]
    if not all(parts):
        return None
    return "/".join(str(p) for p in parts)


def linked_transaction(line: Mapping[str, Any]) -> str | None:
    """The ARTS identity of the transaction a returned line links to (``TransactionLink``)."""
    link = item(line).get("TransactionLink")
    if link.__class__ is list:
        link = link[0] if link else None
    return transaction_ref(link) if link.__class__ is dict else None


def transaction_time(transaction: Mapping[str, Any]) -> str | None:
    """When the transaction happened: ``EndDateTime``, else ``BeginDateTime``."""
    return _text(transaction.get("EndDateTime")) or _text(transaction.get("BeginDateTime"))


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


def _item_ids(found: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(Type, text)`` of each ``ItemID`` of an item (POSLog 6 types them by ``@Type``)."""
    raw = found.get("ItemID")
    values = raw if raw.__class__ is list else [raw]
    out: list[tuple[str, str]] = []
    for value in values:
        text = _text(value)
        if text:
            kind = value.get("@Type") if value.__class__ is XmlText else None
            out.append((str(kind or "").upper().replace("-", ""), text))
    return out


def item_id(line: Mapping[str, Any]) -> str | None:
    """The item's ``ItemID`` (the retailer's SKU; an untyped or SKU-typed one before others),
    else its POS identity."""
    found = item(line)
    ids = _item_ids(found)
    for kind, text in ids:
        if kind in ("", "SKU", "ITEMID", "ITEMNUMBER"):
            return text
    if ids:
        return ids[0][1]
    return _text(_identity(found).get("POSItemID"))


def _identity(found: Mapping[str, Any]) -> Mapping[str, Any]:
    ident = found.get("POSIdentity")
    if ident.__class__ is list:
        ident = ident[0] if ident else {}
    ok = ident.__class__ is dict or ident.__class__ is XmlText
    return cast(Mapping[str, Any], ident) if ok else {}


def gtin(line: Mapping[str, Any]) -> str | None:
    """The scanned GTIN, when the POS identity (or a typed ``ItemID``) says it is one."""
    found = item(line)
    ident = _identity(found)
    kind = str(ident.get("@POSIDType", "")).upper().replace("-", "")
    if kind in _GTIN_TYPES:
        return _text(ident.get("POSItemID"))
    return next((text for kind, text in _item_ids(found) if kind in _GTIN_TYPES), None)


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
