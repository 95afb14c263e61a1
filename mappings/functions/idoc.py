"""Values IDoc mapping specs compute from segments (``python:`` expressions).

Qualifiers are data (:mod:`mappings.codelists`): partner functions (``sap-idoc-partner-function``:
AG sold-to, WE ship-to, RE bill-to, RG payer, LF vendor, RS invoicing party…), item id
qualifiers (``sap-idoc-product-id``: E1EDP19 001 customer's, 002 vendor's material, 003 EAN/UPC),
header date qualifiers (``sap-idoc-date-qualifier``) and units (``sap-idoc-unit``: the ISO codes
SAP sends and its internal keys, to UN/ECE Rec 20).

SAP's movement types (``BWART``) say both which way stock goes and why; the table below holds
the standard ones. A reversal (the type plus one: ``102`` reverses ``101``) moves the other way
and is a correction. An unknown movement type raises ``ValueError``: guessing the direction
of a stock change would corrupt the book quantity silently.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from canonical.quantity import check_unit_code
from mappings.codelists import code_list, country_alpha2
from mappings.partner_profile import current_profile

__all__ = [
    "MOVEMENTS",
    "SKU_PREFERENCE",
    "SUPPLIER_ROLES",
    "bill_to",
    "bill_to_address",
    "billed_unit_price",
    "customer_id",
    "document_currency",
    "invoice_date",
    "invoice_id",
    "invoice_total",
    "line_description",
    "line_gtin",
    "line_sku",
    "line_unit",
    "movement_change",
    "movement_reason",
    "movement_unit",
    "net_total",
    "order_date",
    "order_id",
    "partner_country",
    "partner_id",
    "product_ids",
    "purchase_order",
    "ship_method",
    "ship_to",
    "ship_to_address",
    "ship_to_id",
    "street_lines",
    "supplier_id",
    "unit_price",
]

#: standard SAP movement type → (direction of on-hand, canonical adjustment reason)
MOVEMENTS: dict[str, tuple[int, str]] = {
    "101": (1, "receipt"),  # goods receipt for a purchase order
    "122": (-1, "correction"),  # return delivery to the vendor
    "201": (-1, "correction"),  # goods issue to a cost centre
    "251": (-1, "sale"),  # goods issue for sales (retail POS sales)
    "261": (-1, "transfer_out"),  # goods issue for an order
    "301": (-1, "transfer_out"),  # transfer plant to plant (issuing side)
    "303": (-1, "transfer_out"),  # transfer to another plant, in transit
    "305": (1, "transfer_in"),  # receipt from transit
    "501": (1, "receipt"),  # receipt without a purchase order
    "551": (-1, "damage"),  # scrapping
    "601": (-1, "sale"),  # goods issue for a delivery
    "653": (1, "return"),  # customer return into unrestricted stock
    "701": (1, "correction"),  # physical inventory difference, surplus
    "702": (-1, "correction"),  # physical inventory difference, shortfall
}
_REVERSALS = {str(int(code) + 1): (-sign, "correction") for code, (sign, _) in MOVEMENTS.items()}
_ALL = {**_REVERSALS, **MOVEMENTS}

#: E1EDP19 qualifiers tried for a line's SKU, in order: the vendor's material number (what the
#: supplier receiving the order stocks under), the EAN/UPC, the customer's material number
SKU_PREFERENCE = ("002", "003", "001")
#: partner roles that name the selling party, in order (an S/4HANA invoice names it RS only)
SUPPLIER_ROLES = ("supplier", "invoicing_party", "goods_supplier")
_PARTNERS = "sap-idoc-partner-function"
_PRODUCT_IDS = "sap-idoc-product-id"
_NO_DATE = frozenset({"", "00000000"})


# These run for every segment of every IDoc on the bulk path: concrete class tests, no ABCs
# (the reader's trees are dicts, lists and strings).


def _text(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value.strip() if value.__class__ is str or isinstance(value, str) else ""


def _segments(node: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    """The segments ``name`` under ``node`` (one arrives as an object, several as a list)."""
    found = node.get(name)
    if found.__class__ is list:
        return [item for item in found if item.__class__ is dict]
    return [found] if found.__class__ is dict else []


@functools.cache
def _roles() -> dict[str, frozenset[str]]:
    """Role → the partner function codes that have it, from the code list."""
    found: dict[str, set[str]] = {}
    for code, entry in code_list(_PARTNERS).codes.items():
        if "role" in entry:
            found.setdefault(str(entry["role"]), set()).add(code)
    return {role: frozenset(codes) for role, codes in found.items()}


@functools.cache
def _units() -> dict[str, str]:
    """SAP unit (ISO code or internal key) → Rec 20, from the code list."""
    listed = code_list("sap-idoc-unit")
    return {code: str(entry["rec20"]) for code, entry in listed.codes.items()}


@functools.cache
def _schemes() -> dict[str, str]:
    """E1EDP19 qualifier → product id scheme, from the code list."""
    listed = code_list(_PRODUCT_IDS)
    return {code: str(entry["scheme"]) for code, entry in listed.codes.items() if "scheme" in entry}


def _qualified(
    node: Mapping[str, Any], name: str, field: str, code: str
) -> Mapping[str, Any] | None:
    for segment in _segments(node, name):
        if _text(segment, field) == code:
            return segment
    return None


def _decimal(text: str, what: str) -> Decimal:
    """A number of an IDoc field. SAP writes a negative one with the sign after the digits
    (``77.59-``: ABAP's character form of a packed number, which the IDoc's character
    fields take), so a trailing minus is read as a negative number, never dropped."""
    number = text.strip()
    negative = number.endswith("-") and number[:1] not in ("-", "+")
    try:
        value = Decimal(number[:-1].rstrip() if negative else number)
    except InvalidOperation:
        raise ValueError(f"{what} {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ValueError(f"{what} {text!r} is not a decimal number")
    return -value if negative else value


# --- partners ------------------------------------------------------------------------------


def _partner(idoc: Mapping[str, Any], *roles: str) -> Mapping[str, Any] | None:
    """The first E1EDKA1 whose partner function has one of ``roles``, in the order of roles."""
    partners = _segments(idoc, "E1EDKA1")
    if not partners:
        return None
    known = _roles()
    for role in roles:
        codes = known.get(role, frozenset())
        for partner in partners:
            if _text(partner, "PARVW") in codes:
                return partner
    return None


def partner_id(partner: Mapping[str, Any]) -> str | None:
    """A partner's number: ``PARTN`` (in the sender's system), else ``LIFNR``, else its GLN."""
    for key in ("PARTN", "LIFNR", "ILNNR"):
        if value := _text(partner, key):
            return value
    return None


def customer_id(idoc: Mapping[str, Any]) -> str | None:
    """The sold-to party's number (AG)."""
    partner = _partner(idoc, "sold_to")
    return partner_id(partner) if partner is not None else None


def supplier_id(idoc: Mapping[str, Any]) -> str | None:
    """The selling party's number: vendor (LF), else invoicing party (RS), else goods supplier."""
    partner = _partner(idoc, *SUPPLIER_ROLES)
    return partner_id(partner) if partner is not None else None


def ship_to(idoc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ship-to party segment (WE)."""
    return _partner(idoc, "ship_to")


def bill_to(idoc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The bill-to party segment (RE)."""
    return _partner(idoc, "bill_to")


def ship_to_id(idoc: Mapping[str, Any]) -> str | None:
    """The ship-to party's number (WE): a store, plant or customer location code."""
    partner = ship_to(idoc)
    return partner_id(partner) if partner is not None else None


def ship_method(idoc: Mapping[str, Any]) -> str | None:
    """``ship`` when the IDoc names a ship-to party; otherwise none."""
    return "ship" if ship_to(idoc) is not None else None


def street_lines(partner: Mapping[str, Any]) -> list[str]:
    """The street lines of an ``E1EDKA1`` partner (``STRAS``, ``STRS2``), blanks left out
    (a ship-to given by name and city has none)."""
    lines = [_text(partner, k) for k in ("STRAS", "STRS2")]
    return [line for line in lines if line]


def _address(partner: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if partner is None:
        return None
    parts = {
        "name": _text(partner, "NAME1") or None,
        "lines": street_lines(partner),
        "city": _text(partner, "ORT01") or None,
        "region": _text(partner, "REGIO") or None,
        "postal_code": _text(partner, "PSTLZ") or None,
        "country": partner_country(partner),
    }
    return parts if any(parts.values()) else None


def ship_to_address(idoc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ship-to party's (WE) postal address, as far as the IDoc gives it."""
    return _address(ship_to(idoc))


def bill_to_address(idoc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The bill-to party's (RE) postal address, as far as the IDoc gives it."""
    return _address(bill_to(idoc))


def partner_country(partner: Mapping[str, Any]) -> str | None:
    """The partner's ISO country: ``ISOAL`` when sent, else the SAP country key ``LAND1``."""
    code = _text(partner, "ISOAL") or _text(partner, "LAND1")
    return country_alpha2(code) if code else None


# --- header --------------------------------------------------------------------------------


def order_id(idoc: Mapping[str, Any]) -> str | None:
    """The customer's PO number: E1EDK02 qualifier 001, else E1EDK01 ``BELNR``."""
    ref = _qualified(idoc, "E1EDK02", "QUALF", "001")
    if ref is not None and (number := _text(ref, "BELNR")):
        return number
    header = next(iter(_segments(idoc, "E1EDK01")), None)
    return (_text(header, "BELNR") or None) if header is not None else None


def _timestamp(segment: Mapping[str, Any]) -> str | None:
    datum = _text(segment, "DATUM")
    if datum in _NO_DATE:
        return None
    return datum + (_text(segment, "UZEIT") or "000000")


def _dated(idoc: Mapping[str, Any], *qualifiers: str) -> str | None:
    for qualifier in qualifiers:
        segment = _qualified(idoc, "E1EDK03", "IDDAT", qualifier)
        if segment is not None and (stamp := _timestamp(segment)):
            return stamp
    return None


def order_date(idoc: Mapping[str, Any]) -> str | None:
    """When the order was placed, ``YYYYMMDDHHMMSS``: the document date (E1EDK03 012), else
    the PO reference's date (E1EDK02 001), else the PO date (022), else created on (025).
    ``UZEIT`` is optional (midnight when absent); ``00000000`` is SAP's empty date."""
    found = _dated(idoc, "012")
    if found:
        return found
    ref = _qualified(idoc, "E1EDK02", "QUALF", "001")
    if ref is not None and (stamp := _timestamp(ref)):
        return stamp
    return _dated(idoc, "022", "025")


def invoice_date(idoc: Mapping[str, Any]) -> str | None:
    """The invoice's date, ``YYYYMMDD``: the document date (E1EDK03 012), else the invoice date
    (026) as S/4HANA billing documents send it."""
    found = _dated(idoc, "012", "026")
    return found[:8] if found else None


def document_currency(idoc: Mapping[str, Any]) -> str | None:
    """The ISO currency: E1EDK01 ``CURCY``; when a system sends a numeric key there, the
    currency of the totals (E1EDS01 ``SUNIT`` or ``WAERQ``); else the partner profile's
    ``default_currency``."""
    header = idoc.get("E1EDK01")
    code = _text(header, "CURCY") if header.__class__ is dict else ""
    if code.isalpha():  # the usual case, first: this runs for every priced line
        return code.upper()
    if not code:
        header = next(iter(_segments(idoc, "E1EDK01")), None)
        code = _text(header, "CURCY") if header is not None else ""
        if code.isalpha():
            return code.upper()
    for total in _segments(idoc, "E1EDS01"):
        for key in ("SUNIT", "WAERQ"):
            if (value := _text(total, key)).isalpha() and len(value) == 3:
                return value.upper()
    return code or current_profile().default_currency


def net_total(idoc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The order's net value (E1EDS01 SUMID 002) in the document currency; none when absent."""
    total = _qualified(idoc, "E1EDS01", "SUMID", "002")
    amount = _text(total, "SUMME") if total is not None else ""
    if not amount:
        return None
    return {"amount": _decimal(amount, "SUMME"), "currency": document_currency(idoc)}


def invoice_id(idoc: Mapping[str, Any]) -> str | None:
    """The invoice number: E1EDK01 ``BELNR``, else the E1EDK02 reference qualified 009."""
    header = next(iter(_segments(idoc, "E1EDK01")), None)
    if header is not None and (number := _text(header, "BELNR")):
        return number
    ref = _qualified(idoc, "E1EDK02", "QUALF", "009")
    return (_text(ref, "BELNR") or None) if ref is not None else None


def purchase_order(idoc: Mapping[str, Any]) -> str | None:
    """The PO an invoice bills: E1EDK02 qualifier 001, else the first line's E1EDP02 001."""
    ref = _qualified(idoc, "E1EDK02", "QUALF", "001")
    if ref is not None and (number := _text(ref, "BELNR")):
        return number
    for item in _segments(idoc, "E1EDP01"):
        line_ref = _qualified(item, "E1EDP02", "QUALF", "001")
        if line_ref is not None and (number := _text(line_ref, "BELNR")):
            return number
    return None


def invoice_total(idoc: Mapping[str, Any]) -> Decimal | None:
    """The invoice's total: E1EDS01 SUMID 011 (the final amount), else 010, else 002 (net)."""
    for sumid in ("011", "010", "002"):
        total = _qualified(idoc, "E1EDS01", "SUMID", sumid)
        if total is not None and (amount := _text(total, "SUMME")):
            return _decimal(amount, f"SUMME of SUMID {sumid}")
    return None


# --- lines ---------------------------------------------------------------------------------


def product_ids(item: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every E1EDP19 id of a line, typed by its qualifier (unknown qualifiers: scheme other)."""
    schemes = _schemes()
    found: list[dict[str, str]] = []
    for ident in _segments(item, "E1EDP19"):
        value = _text(ident, "IDTNR")
        if not value:
            continue
        qualifier = _text(ident, "QUALF")
        scheme = schemes.get(qualifier, "other")
        found.append({"scheme": scheme, "value": value, "qualifier": qualifier})
    return found


def _id(item: Mapping[str, Any], qualifier: str) -> Mapping[str, Any] | None:
    for ident in _segments(item, "E1EDP19"):
        if _text(ident, "QUALF") == qualifier and _text(ident, "IDTNR"):
            return ident
    return None


def line_sku(item: Mapping[str, Any]) -> str | None:
    """The line's SKU: the first E1EDP19 id in the partner profile's ``sku_qualifiers`` order
    (else :data:`SKU_PREFERENCE`), else the item's material number ``MATNR``."""
    ids = [(_text(i, "QUALF"), _text(i, "IDTNR")) for i in _segments(item, "E1EDP19")]
    chosen = current_profile().choose_id(ids, default=SKU_PREFERENCE)
    if chosen is not None:
        return chosen[1]
    return _text(item, "MATNR") or None


def line_gtin(item: Mapping[str, Any]) -> str | None:
    """The line's EAN/UPC (E1EDP19 qualifier 003)."""
    ident = _id(item, "003")
    return _text(ident, "IDTNR") if ident is not None else None


def line_description(item: Mapping[str, Any]) -> str | None:
    """The short text of the id the SKU came from, else of any id of the line."""
    for qualifier in current_profile().sku_order(SKU_PREFERENCE):
        ident = _id(item, qualifier)
        if ident is not None and (text := _text(ident, "KTEXT")):
            return text
    return next((t for i in _segments(item, "E1EDP19") if (t := _text(i, "KTEXT"))), None)


def _unit(code: str, field: str) -> str | None:
    if not code:
        return None
    rec20 = _units().get(code)
    if rec20 is not None:
        return rec20
    try:
        return check_unit_code(code.upper())
    except ValueError:
        raise ValueError(
            f"unit {field} {code!r} is neither an SAP unit in sap-idoc-unit nor a Rec 20 code"
        ) from None


def line_unit(item: Mapping[str, Any]) -> str | None:
    """The Rec 20 unit of a line's quantity (``MENEE``; else the partner's ``default_unit``)."""
    return _unit(_text(item, "MENEE"), "MENEE") or current_profile().default_unit


def unit_price(item: Mapping[str, Any]) -> Decimal | None:
    """The price of one unit: ``VPREI`` per price unit ``PEINH`` (12.50 per 100 pieces is 0.125);
    none when the line states no price (an order priced by agreement)."""
    price = _text(item, "VPREI")
    if not price:
        return None
    value = _decimal(price, "VPREI")
    per = _text(item, "PEINH")
    if per:
        units = _decimal(per, "PEINH")
        if units <= 0:
            raise ValueError(f"price unit PEINH {per!r} must be positive")
        if units != 1:
            value = value / units
    return value


def billed_unit_price(item: Mapping[str, Any]) -> Decimal | None:
    """An invoice line's price of one unit: ``VPREI`` per ``PEINH`` (:func:`unit_price`), else
    the line's net value (``NETWR``, else E1EDP26 qualifier 003) over its quantity, to 4 places
    where the division does not end (S/4HANA billing documents may state the net value only)."""
    price = unit_price(item)
    if price is not None:
        return price
    net = _text(item, "NETWR")
    if not net:
        amount = _qualified(item, "E1EDP26", "QUALF", "003")
        net = _text(amount, "BETRG") if amount is not None else ""
    quantity = _text(item, "MENGE")
    if not net or not quantity:
        return None
    count = _decimal(quantity, "MENGE")
    if count <= 0:
        return None
    value = _decimal(net, "net value") / count
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        value = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return value


# --- goods movements (WMMBID02) ------------------------------------------------------------


def _movement(item: Mapping[str, Any]) -> tuple[int, str]:
    code = _text(item, "BWART")
    try:
        return _ALL[code]
    except KeyError:
        raise ValueError(f"movement type BWART {code!r} is not a known standard type") from None


def movement_change(item: Mapping[str, Any]) -> Decimal | None:
    """The quantity in unit of entry (``ERFMG``, else ``MENGE``) signed by the movement type."""
    sign, _ = _movement(item)
    field = "ERFMG" if _text(item, "ERFMG") else "MENGE"
    text = _text(item, field)
    if not text:
        return None
    value = _decimal(text, f"quantity {field}")
    if value < 0:
        # the movement type alone says which way stock goes: a signed quantity on top of it
        # could mean either direction
        raise ValueError(
            f"quantity {field} {text!r} is negative: a goods movement's quantity is unsigned, "
            f"its direction is the movement type (BWART {_text(item, 'BWART')})"
        )
    return value if sign > 0 else -value


def movement_unit(item: Mapping[str, Any]) -> str | None:
    """The Rec 20 unit of the movement's quantity: ``ERFME`` with ``ERFMG``, else ``MEINS``."""
    if _text(item, "ERFMG"):
        return _unit(_text(item, "ERFME"), "ERFME")
    return _unit(_text(item, "MEINS") or _text(item, "ERFME"), "MEINS")


def movement_reason(item: Mapping[str, Any]) -> str:
    """The canonical adjustment reason of the movement type."""
    return _movement(item)[1]
