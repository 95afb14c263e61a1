"""Values derived from several places of an EDIFACT tree, for specs' ``python:`` hooks.

Each hook takes the node the spec is at (the message, or one ``LIN`` group item) and returns
text, ``Decimal`` or a small dict the spec then transforms and validates like any read value.
Numbers in the tree are already written with ``.`` (the reader's ``numbers`` module). What a
qualifier means comes from the code lists in :mod:`mappings.codelists` (``edifact-6063-quantity``,
``edifact-5125-price``, ``edifact-3035-party``, ``edifact-2005-date``, ``edifact-2379-date-format``,
``edifact-5025-amount``, ``edifact-6411-unit``, ``edifact-7143-item-type``), so a new qualifier is
a line of data, not code.

Where the standard leaves a choice to the trading partners, the partner profile of the message's
sender decides (:func:`mappings.partner_profile.current_profile`): which id is the SKU
(``sku_qualifiers``), the unit of a quantity written without one (``default_unit``), the
century of six-digit dates (``date_century``), the currency of amounts given without one
(``default_currency``) and the location of an inventory report that names none
(``default_location``).

The tree (see ``connectors.formats.edifact.structures``): a tag maps to a list; a tag that opens
a segment group maps to group items, each holding its opening segment under its own tag.
Element and component indexes are 1-based; index 0 of an element is its whole text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from mappings.codelists import CodeList, code_list, country_alpha2
from mappings.partner_profile import current_profile

__all__ = [
    "buyer_id",
    "delivery_address",
    "delivery_method",
    "document_date",
    "dtm_timestamp",
    "invoice_currency",
    "invoice_date",
    "invoice_lines",
    "invoice_match_status",
    "invoice_total",
    "invoiced_quantity",
    "invoiced_unit_price",
    "item_description",
    "item_gtin",
    "item_sku",
    "line_price_variance",
    "line_quantity_variance",
    "net_unit_price",
    "order_currency",
    "order_date",
    "order_line_quantity",
    "order_line_unit",
    "order_lines",
    "order_totals",
    "ordered_quantity",
    "po_ref",
    "po_unit_price",
    "product_ids",
    "quantity_unit",
    "requested_delivery",
    "returned_quantity",
    "returned_unit",
    "ship_to_location",
    "stock_positions",
    "supplier_id",
]

_QUANTITY = "edifact-6063-quantity"
_PRICE = "edifact-5125-price"
_PARTY = "edifact-3035-party"
_DATE = "edifact-2005-date"
_DATE_FORMAT = "edifact-2379-date-format"
_AMOUNT = "edifact-5025-amount"
_UNIT = "edifact-6411-unit"
_ITEM_TYPE = "edifact-7143-item-type"

# What a quantity without a unit counts: consumer units (EANCOM sends 6411 only for variable
# quantity products), Rec 20 "one".
_EACH = "C62"


# -- reading the tree ----------------------------------------------------------------------------


def _component(segment: Any, element: int, component: int) -> str:
    # called for every qualifier of every line: the common case (present) without checks
    try:
        found = segment[element][component]
    except (IndexError, TypeError, KeyError):
        return ""
    return found if isinstance(found, str) else ""


def _segments(node: Mapping[str, Any], tag: str) -> Sequence[Any]:
    """The segments ``tag`` under ``node``: plain, opening group items, or the one that opens
    ``node`` itself (a group item holds its opening segment alone, not in a list).

    A tag is either a member of its group or opens groups in it (the structure tables never
    make it both), so the first entry says which the whole list is.
    """
    entries = node.get(tag)
    if not entries:
        return ()
    first = entries[0]
    if first.__class__ is str:  # the group's own opening segment: [tag, element, ...]
        return (entries,)
    if first.__class__ is list:
        return entries  # type: ignore[no-any-return]
    return [entry[tag] if isinstance(entry, Mapping) else entry for entry in entries]


def _groups(node: Mapping[str, Any], tag: str) -> Iterator[Mapping[str, Any]]:
    """The group items ``tag`` opens under ``node`` (a plain segment counts as a bare group)."""
    for entry in node.get(tag) or ():
        yield entry if isinstance(entry, Mapping) else {tag: entry}


def _codes(name: str) -> CodeList:
    return code_list(name)


@functools.cache
def _attribute_of(name: str, attribute: str) -> dict[str, Any]:
    """Code -> one attribute of its entry, for a code list read once per line (a dict look-up
    instead of a call chain per qualifier)."""
    return {code: entry.get(attribute) for code, entry in _codes(name).codes.items()}


def _role(name: str, code: str, attribute: str = "role") -> Any:
    return _attribute_of(name, attribute).get(code.strip())


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:  # the reader checks numeric positions; this is a free-text one
        return None


def _first(*values: Decimal | None) -> Decimal | None:
    """The first value that is not ``None`` (zero is a value)."""
    return next((value for value in values if value is not None), None)


def _lines(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(message.get("LIN") or ())


# -- dates (DTM C507: 2005 qualifier, 2380 value, 2379 format) ------------------------------------

_INFERRED_FORMATS = {6: "101", 8: "102", 10: "201", 12: "203", 14: "204"}
_UTC_NAMES = frozenset(("UTC", "GMT", "Z", "UT"))


def dtm_timestamp(value: str, format_code: str = "") -> str | None:
    """ISO 8601 text of a DTM value written in ``format_code`` (2379); ``None`` when blank.

    Without a format code the layout follows from the length (8 digits: 102 CCYYMMDD, 12:
    203, 14: 204, 6: 101 YYMMDD), as senders that leave 2379 out mean. Two-digit years take
    the partner's ``date_century``, else the POSIX window (69-99: 1900s). A time zone after
    the digits (UTC, GMT, +HHMM) is kept; ``ValueError`` names a value that does not fit its
    format. Twelve or fourteen digits under 102 read as 203/204 (some senders write the time
    under the date format).
    """
    text = value.strip()
    if not text:
        return None
    code = format_code.strip() or _INFERRED_FORMATS.get(len(text), "")
    entry = _codes(_DATE_FORMAT).get(code)
    if entry is None:
        raise ValueError(f"DTM format {code or '(none)'!r} is not a date format this reader knows")
    layout: str = entry["layout"]
    if code == "102" and len(text) in (12, 14) and text.isdigit():
        # CCYYMMDDHHMM[SS] under 102, as some senders write it: the digits say which it is
        layout = _codes(_DATE_FORMAT).value(_INFERRED_FORMATS[len(text)], "layout")
    if entry.get("period"):
        text = text.split("-", 1)[0]
    zone_text = ""
    if layout.endswith("ZZZ"):
        layout = layout[:-3]
        text, zone_text = text[: len(layout)], text[len(layout) :]
    if len(text) != len(layout) or not text.isdigit():
        raise ValueError(f"DTM value {value!r} does not fit format {code} ({layout})")
    if layout.startswith("YY"):
        text = f"{current_profile().full_year(int(text[:2])):04d}{text[2:]}"
        layout = "CC" + layout
    month, day, hour, minute, second = (int(text[i : i + 2] or 0) for i in range(4, 14, 2))
    moment = datetime(int(text[:4]), month, day, hour, minute, second)
    zone = _zone(zone_text)
    if len(layout) == 8:
        return moment.date().isoformat()
    return (moment.replace(tzinfo=zone) if zone else moment).isoformat()


def _zone(text: str) -> timezone | None:
    text = text.strip().upper()
    if not text or text in _UTC_NAMES:
        return UTC if text else None
    if len(text) == 5 and text[0] in "+-" and text[1:].isdigit():
        offset = timedelta(hours=int(text[1:3]), minutes=int(text[3:]))
        return timezone(-offset if text[0] == "-" else offset)
    return None  # a zone this reader cannot place: the time is read as written (UTC)


def _dtm_value(segment: Any) -> str | None:
    return dtm_timestamp(_component(segment, 1, 2), _component(segment, 1, 3))


def _dated(node: Mapping[str, Any], roles: Iterable[str]) -> str | None:
    """The first DTM of ``node`` whose qualifier has one of ``roles``, best role first."""
    found: dict[str, Any] = {}
    for segment in _segments(node, "DTM"):
        role = _role(_DATE, _component(segment, 1, 1))
        if role and role not in found and _component(segment, 1, 2):
            found[role] = segment
    for role in roles:
        if role in found:
            return _dtm_value(found[role])
    return None


def _interchange_date(message: Mapping[str, Any]) -> str | None:
    """UNB S004: the date (YYMMDD in syntax 3, CCYYMMDD in 4) and HHMM the interchange was made."""
    unb = (message.get("UNB") or [None])[0]
    day, time = _component(unb, 4, 1), _component(unb, 4, 2)
    if not day:
        return None
    return dtm_timestamp(day + time) if len(time) == 4 else dtm_timestamp(day)


def document_date(message: Mapping[str, Any]) -> str | None:
    """The document date (DTM 137), else the date the interchange was made (UNB S004)."""
    return _dated(message, ("document",)) or _interchange_date(message)


def order_date(message: Mapping[str, Any]) -> str | None:
    """When the order was placed: DTM 137 (document), else 4 (order date), else UNB's date."""
    return _dated(message, ("document", "order")) or _interchange_date(message)


def invoice_date(message: Mapping[str, Any]) -> str | None:
    """The day of DTM 137 (document), else 3 (invoice date), else of the interchange date."""
    found = _dated(message, ("document", "invoice")) or _interchange_date(message)
    return found[:10] if found else None


def requested_delivery(message: Mapping[str, Any]) -> str | None:
    """When the goods are wanted: DTM 2 (requested), 69 (promised), else 63 (latest)."""
    if delivery_method(message) is None:
        return None
    return _dated(message, ("delivery_requested", "delivery_promised", "delivery_latest"))


# -- parties (NAD: 3035 qualifier, C082 id, C080 name, C059 street, 3164 city ...) ----------------


@functools.cache
def _codes_of(name: str, attribute: str, value: str) -> tuple[str, ...]:
    """The codes of a list whose ``attribute`` is ``value``, in the list's order."""
    return tuple(c for c, entry in _codes(name).codes.items() if entry.get(attribute) == value)


def _party(message: Mapping[str, Any], role: str) -> Mapping[str, Any] | None:
    """The first NAD group whose qualifier has ``role``, in the code list's order of codes."""
    by_code: dict[str, Mapping[str, Any]] = {}
    for group in _groups(message, "NAD"):
        by_code.setdefault(_component(group["NAD"], 1, 1), group)
    return next((by_code[c] for c in _codes_of(_PARTY, "role", role) if c in by_code), None)


def _party_id(group: Mapping[str, Any] | None, *references: str) -> str | None:
    """The party's C082 id, else its first RFF of ``references`` (an id the buyer gave it)."""
    if group is None:
        return None
    found = _component(group["NAD"], 2, 1).strip()
    if found:
        return found
    for code in references:
        for segment in _segments(group, "RFF"):
            if _component(segment, 1, 1) == code and _component(segment, 1, 2).strip():
                return _component(segment, 1, 2).strip()
    return None


def supplier_id(message: Mapping[str, Any]) -> str | None:
    """The selling party (NAD SE, SU, II): its id, else its RFF IA (the buyer's vendor number),
    YC1 (additional party id) or VA (VAT registration number)."""
    return _party_id(_party(message, "supplier"), "IA", "YC1", "VA")


def buyer_id(message: Mapping[str, Any]) -> str | None:
    """The buyer (NAD BY, OB): its id."""
    return _party_id(_party(message, "buyer"))


def ship_to_location(message: Mapping[str, Any]) -> str | None:
    """The id of the party the goods go to (NAD DP, ST, CN, UC): a GLN or store code."""
    return _party_id(_party(message, "ship_to"))


def delivery_address(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """As much of the ship-to party's postal address as the NAD gives; ``None`` without one.

    NAD 4 C080 name, 5 C059 street lines, 6 3164 city, 7 C819 region, 8 3251 postcode, 9 3207
    country (ISO 3166 alpha-2 or alpha-3; ``UK``, which ISO reserves for the United Kingdom,
    reads as ``GB``). A party named by its id alone has no address; nor does a bare country.
    """
    group = _party(message, "ship_to")
    if group is None:
        return None
    nad = group["NAD"]
    name = " ".join(_component(nad, 4, i) for i in range(1, 6) if _component(nad, 4, i).strip())
    lines = [_component(nad, 5, i) for i in range(1, 5) if _component(nad, 5, i).strip()]
    city, postal_code = _component(nad, 6, 1).strip(), _component(nad, 8, 1).strip()
    if not (name or lines or city or postal_code):
        return None
    country = _component(nad, 9, 1).strip().upper()
    return {
        "name": name or None,
        "lines": lines,
        "city": city or None,
        "region": _component(nad, 7, 1).strip() or None,
        "postal_code": postal_code or None,
        "country": ("GB" if country == "UK" else country_alpha2(country)) if country else None,
    }


def delivery_method(message: Mapping[str, Any]) -> str | None:
    """``ship`` when the order names where the goods go (an id or an address), else ``None``."""
    if ship_to_location(message) is not None or delivery_address(message) is not None:
        return "ship"
    return None


# -- currencies and amounts (CUX C504, MOA C516) -------------------------------------------------


def _cux_currency(node: Mapping[str, Any]) -> str | None:
    for segment in _segments(node, "CUX"):
        for element in (1, 2):
            if _component(segment, element, 2).strip():
                return _component(segment, element, 2).strip()
    return None


def _moa_currency(message: Mapping[str, Any]) -> str | None:
    for node in (message, *_lines(message)):
        for segment in _segments(node, "MOA"):
            if _component(segment, 1, 3).strip():
                return _component(segment, 1, 3).strip()
    return None


def _line_currency(line: Mapping[str, Any]) -> str | None:
    """A currency given for one line: CUX inside its PRI group (SAP writes one per line)."""
    for group in line.get("PRI") or ():
        if isinstance(group, Mapping) and "CUX" in group:
            found = _cux_currency(group)
            if found:
                return found
    return None


def _stated_currency(message: Mapping[str, Any]) -> str | None:
    found = _cux_currency(message) or _moa_currency(message)
    if found:
        return found
    return next(filter(None, (_line_currency(line) for line in _lines(message))), None)


# EANCOM partners agree the currency of prices given without CUX; this spec's agreement is EUR
_AGREED_CURRENCY = "EUR"


def order_currency(message: Mapping[str, Any]) -> str | None:
    """CUX (reference currency), else an MOA's or a line's currency, else the partner's
    ``default_currency``; for an order that states prices but no currency and no profile, the
    agreed one (EUR); ``None`` for an order without amounts."""
    stated = _stated_currency(message) or current_profile().default_currency
    if stated:
        return stated
    priced = any(net_unit_price(line) is not None for line in _lines(message))
    return _AGREED_CURRENCY if priced or _totals(message) else None


def invoice_currency(message: Mapping[str, Any]) -> str | None:
    """CUX, else the currency written inside the MOAs, else the partner's ``default_currency``."""
    return _stated_currency(message) or current_profile().default_currency


def _moa(node: Mapping[str, Any], codes: Iterable[str]) -> Decimal | None:
    """The amount of the first MOA of ``node`` (plain, not in groups) of the first listed code."""
    found: dict[str, Decimal] = {}
    for entry in node.get("MOA") or ():
        if isinstance(entry, list):
            code, amount = _component(entry, 1, 1), _number(_component(entry, 1, 2))
            if amount is not None and code not in found:
                found[code] = amount
    return next((found[code] for code in codes if code in found), None)


def _codes_with(name: str, attribute: str, value: str) -> tuple[str, ...]:
    return _codes_of(name, attribute, value)


def _totals(message: Mapping[str, Any]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for role in ("subtotal", "discount_total", "tax_total", "shipping_total", "grand_total"):
        amount = _moa(message, _codes_with(_AMOUNT, "total", role))
        if amount is not None:
            totals[role] = amount
    return totals


def order_totals(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The totals the order's summary states (MOA 79, 260/204, 176/124, 64, 86/77/39/128), each
    in the order's currency; ``None`` when it states none (nothing is recomputed here)."""
    totals = _totals(message)
    if not totals:
        return None
    currency = order_currency(message)
    return {role: {"amount": amount, "currency": currency} for role, amount in totals.items()}


# -- line items: ids, quantities, prices ---------------------------------------------------------


def _ids(line: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(7143 type, id) of every item id of a line: LIN C212 first, then each PIA's C212s.

    Items that :func:`order_lines`, :func:`invoice_lines` and :func:`stock_positions` give
    carry them already (``ids``): the SKU, the product ids and the GTIN each read them.
    """
    known = line.get("ids")
    if known is not None:
        return known  # type: ignore[no-any-return]
    found: list[tuple[str, str]] = []
    lin = line.get("LIN")
    composites = [lin[3]] if lin is not None and len(lin) > 3 else []
    for segment in _segments(line, "PIA"):
        composites += segment[2:7]
    for parts in composites:  # C212: [whole, 7140 id, 7143 type, ...]
        value = parts[1].strip() if len(parts) > 1 else ""
        if value:
            found.append((parts[2].strip() if len(parts) > 2 else "", value))
    return list(dict.fromkeys(found)) if len(found) > 1 else found


def item_sku(line: Mapping[str, Any]) -> str | None:
    """The first id of a type in the partner's ``sku_qualifiers``; else (and without a profile)
    the supplier's article number (type SA), else the LIN item id, else the first PIA id."""
    ids = _ids(line)
    profile = current_profile()
    if profile.sku_qualifiers:
        chosen = profile.choose_id(ids, default=())
        if chosen is not None:
            return chosen[1]
    return _default_sku(ids)


def _default_sku(ids: list[tuple[str, str]]) -> str | None:
    for qualifier, value in ids:
        if qualifier == "SA":
            return value
    return ids[0][1] if ids else None


def product_ids(line: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every id the line names, typed by 7143 (``edifact-7143-item-type``; unknown: ``other``)."""
    types = _codes(_ITEM_TYPE)
    return [
        {"scheme": types.value(qualifier, "scheme", "other"), "value": value}
        | ({"qualifier": qualifier} if qualifier else {})
        for qualifier, value in _ids(line)
    ]


def item_gtin(line: Mapping[str, Any]) -> str | None:
    """The first id whose type denotes a GTIN (SRV, EN, UP): checked by the event's model."""
    types = _codes(_ITEM_TYPE)
    return next((v for q, v in _ids(line) if types.value(q, "scheme") == "gtin"), None)


def item_description(line: Mapping[str, Any]) -> str | None:
    """The free-form description (IMD F or E, C273 7008, both parts joined)."""
    for segment in _segments(line, "IMD"):
        if len(segment) > 3 and segment[1][1] in ("F", "E"):
            parts = segment[3]
            text = " ".join(part.strip() for part in parts[4:6] if part.strip())
            if text:
                return text
    return None


def _quantity(line: Mapping[str, Any], roles: Iterable[str]) -> Any:
    """The first QTY segment of the line whose qualifier has one of ``roles``, best first."""
    role_of = _attribute_of(_QUANTITY, "role")
    found: dict[str, Any] = {}
    for segment in _segments(line, "QTY"):
        parts: Sequence[str] = segment[1] if len(segment) > 1 else ()
        if len(parts) > 2 and parts[2]:
            role = role_of.get(parts[1])
            if role and role not in found:
                found[role] = segment
    return next((found[role] for role in roles if role in found), None)


def _unit(segment: Any) -> str | None:
    """The Rec 20 unit of a QTY's 6411 (older codes through ``edifact-6411-unit``); without one
    the partner's ``default_unit``, else C62."""
    if segment is None:
        return None
    code = _component(segment, 1, 3).strip()
    if not code:
        return current_profile().default_unit or _EACH
    mapped: str | None = _role(_UNIT, code, "rec20")
    return mapped or code


_ORDERED = ("ordered", "discrete")


def _ordered_segment(line: Mapping[str, Any], role_of: Mapping[str, Any]) -> Any:
    """The line's QTY 21 (ordered), else its first QTY 1 (discrete): :func:`_quantity` for
    the roles of :data:`_ORDERED`, in one pass for :func:`order_lines`."""
    discrete = None
    for segment in line.get("QTY") or ():
        parts: Sequence[str] = segment[1] if len(segment) > 1 else ()
        if len(parts) > 2 and parts[2]:
            role = role_of.get(parts[1])
            if role == "ordered":
                return segment
            if role == "discrete" and discrete is None:
                discrete = segment
    return discrete


def order_line_quantity(line: Mapping[str, Any]) -> Decimal | None:
    """The ordered quantity: QTY 21, else 1 (discrete quantity, as GS1's book orders write it)."""
    segment = _quantity(line, _ORDERED)
    return None if segment is None else _number(_component(segment, 1, 2))


def order_line_unit(line: Mapping[str, Any]) -> str | None:
    """The unit of :func:`order_line_quantity`."""
    return _unit(_quantity(line, _ORDERED))


def returned_quantity(line: Mapping[str, Any]) -> Decimal | None:
    """The quantity sent back: QTY 61 (return quantity)."""
    segment = _quantity(line, ("returned",))
    return None if segment is None else _number(_component(segment, 1, 2))


def returned_unit(line: Mapping[str, Any]) -> str | None:
    """The unit of :func:`returned_quantity`."""
    return _unit(_quantity(line, ("returned",)))


def quantity_unit(line: Mapping[str, Any]) -> str | None:
    """The unit of the line's invoiced (else ordered) quantity."""
    return _unit(_quantity(line, ("invoiced", "despatched", "delivered", "ordered")))


def _price(line: Mapping[str, Any], role: str) -> Decimal | None:
    """The unit price of the first PRI whose 5125 has ``role``, divided by its basis (PRI 1.5)."""
    return _prices(line).get(role)


def _prices(line: Mapping[str, Any]) -> dict[str, Decimal]:
    """The first unit price of each role (net, gross, info) the line's PRIs give, per basis."""
    role_of = _attribute_of(_PRICE, "role")
    found: dict[str, Decimal] = {}
    for group in line.get("PRI") or ():
        segment = group["PRI"] if isinstance(group, Mapping) else group
        parts: Sequence[str] = segment[1] if len(segment) > 1 else ()
        role = role_of.get(parts[1]) if len(parts) > 2 else None
        if role is None or role in found:
            continue
        price = _number(parts[2])
        if price is not None:
            basis = _number(parts[5]) if len(parts) > 5 else None
            found[role] = price / basis if basis else price
    return found


def net_unit_price(line: Mapping[str, Any]) -> Decimal | None:
    """The price the buyer pays per unit: a net price (AAA, INV, CAL, NTP ...), else the gross
    one (AAB); information prices (AAE, AAF, INF, SRP) never."""
    return _first(_price(line, "net"), _price(line, "gross"))


def _allowances(line: Mapping[str, Any], base: Decimal | None) -> list[Decimal]:
    """The line's allowances (ALC A): each one's amount (MOA 204 or 8 in its group), else its
    percentage (PCD) of ``base``, the line's gross amount."""
    found: list[Decimal] = []
    for group in _groups(line, "ALC"):
        if _component(group["ALC"], 1, 1) != "A":
            continue
        amount = _moa_in(group, ("204", "8"))
        if amount is None and base is not None:
            percent = next(
                (p for p in (_number(_component(s, 1, 2)) for s in _segments(group, "PCD")) if p),
                None,
            )
            amount = base * percent / 100 if percent is not None else None
        if amount:
            found.append(abs(amount))
    return found


def _moa_in(group: Mapping[str, Any], codes: Iterable[str]) -> Decimal | None:
    amounts = {_component(s, 1, 1): _number(_component(s, 1, 2)) for s in _segments(group, "MOA")}
    return next((amounts[c] for c in codes if amounts.get(c) is not None), None)


def order_lines(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The order's lines, each worked out once from its LIN group, for the spec to read by path:
    ``line_no`` (LIN 1082 when every line has a distinct one, else the position), ``sku``,
    ``product_ids``, ``gtin`` and ``description`` (as :func:`item_sku`, :func:`product_ids`,
    :func:`item_gtin`, :func:`item_description` give them), ``quantity`` and ``unit``
    (:func:`order_line_quantity`), and for a priced line ``unit_price`` (:func:`net_unit_price`)
    in its ``currency`` (the line's own CUX, else the order's).

    A line priced gross only (PRI AAB: a book's list price, say) also carries its allowances
    (ALC A, by amount or percentage) as ``discounts``; a net price already includes them.
    """
    lines = _lines(message)
    numbers = [_component(line.get("LIN"), 1, 1).strip() for line in lines]
    sender_numbers = all(n.isascii() and n.isdigit() and int(n) > 0 for n in numbers) and len(
        {int(n) for n in numbers}
    ) == len(numbers)
    currency = order_currency(message)
    # looked up once per message: this runs for every line of every order
    scheme_of = _attribute_of(_ITEM_TYPE, "scheme")
    quantity_role = _attribute_of(_QUANTITY, "role")
    preferred = current_profile().sku_qualifiers
    items: list[dict[str, Any]] = []
    for position, line in enumerate(lines, 1):
        ids = _ids(line)
        prices = _prices(line)
        net = prices.get("net")
        price = net if net is not None else prices.get("gross")
        quantity_segment = _ordered_segment(line, quantity_role)
        quantity = None if quantity_segment is None else _number(quantity_segment[1][2])
        line_currency = None
        discounts: list[dict[str, Any]] = []
        if price is not None:
            line_currency = _line_currency(line) or currency
            if net is None and line.get("ALC"):
                base = price * quantity if quantity is not None else None
                discounts = [
                    {"amount": {"amount": amount, "currency": line_currency}}
                    for amount in _allowances(line, base)
                ]
        typed = []
        gtin = None
        for qualifier, value in ids:
            scheme = scheme_of.get(qualifier) or "other"
            if scheme == "gtin" and gtin is None:
                gtin = value
            typed.append(
                {"scheme": scheme, "value": value, "qualifier": qualifier}
                if qualifier
                else {"scheme": scheme, "value": value}
            )
        items.append(
            {
                "line_no": int(numbers[position - 1]) if sender_numbers else position,
                "sku": item_sku({"ids": ids}) if preferred else _default_sku(ids),
                "product_ids": typed,
                "gtin": gtin,
                "description": item_description(line),
                "quantity": quantity,
                "unit": _unit(quantity_segment),
                "unit_price": price,
                "currency": line_currency,
                "discounts": discounts,
            }
        )
    return items


# -- invoices ------------------------------------------------------------------------------------


def invoice_lines(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The invoice's LIN groups, each with the invoice's ``currency`` (:func:`invoice_currency`)."""
    currency = invoice_currency(message)
    return [dict(line) | {"currency": currency, "ids": _ids(line)} for line in _lines(message)]


def _line_amount(line: Mapping[str, Any]) -> Decimal | None:
    return _moa(line, _codes_with(_AMOUNT, "line", "line_amount"))


def invoiced_quantity(line: Mapping[str, Any]) -> Decimal | None:
    """QTY 47 (invoiced), else 12 (despatched), else 46/131 (delivered)."""
    segment = _quantity(line, ("invoiced", "despatched", "delivered"))
    return None if segment is None else _number(_component(segment, 1, 2))


def ordered_quantity(line: Mapping[str, Any]) -> Decimal | None:
    """QTY 21 when the supplier states the ordered quantity, else the invoiced quantity."""
    segment = _quantity(line, ("ordered",))
    ordered = None if segment is None else _number(_component(segment, 1, 2))
    return ordered if ordered is not None else invoiced_quantity(line)


def _amount_per_unit(line: Mapping[str, Any]) -> Decimal | None:
    """The line amount (MOA 203) over the invoiced quantity, for an invoice without PRI."""
    amount, quantity = _line_amount(line), invoiced_quantity(line)
    return amount / quantity if amount is not None and quantity else None


def invoiced_unit_price(line: Mapping[str, Any]) -> Decimal | None:
    """The net unit price (PRI per its basis), else the gross one, else line amount / quantity."""
    return _first(net_unit_price(line), _amount_per_unit(line))


def po_unit_price(line: Mapping[str, Any]) -> Decimal | None:
    """The PO price as the invoice states it: gross when given, else the invoiced one."""
    return _first(_price(line, "gross"), invoiced_unit_price(line))


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
    """The order number: RFF ON (order number, buyer), else CO (buyer's order number), in the
    message, else in the first line that names one (INVOIC SG1 or SG29)."""
    for code in ("ON", "CO"):
        for node in (message, *_lines(message)):
            for segment in _segments(node, "RFF"):
                if _component(segment, 1, 1) == code and _component(segment, 1, 2).strip():
                    return _component(segment, 1, 2).strip()
    return None


def invoice_total(message: Mapping[str, Any]) -> Decimal | None:
    """The invoice amount (MOA 86, 77, 39, 128), else the total of the line items (MOA 79),
    else the sum of the line amounts (MOA 203) when every line states one."""
    totals = _totals(message)
    if "grand_total" in totals:
        return totals["grand_total"]
    if "subtotal" in totals:
        return totals["subtotal"]
    amounts = [_line_amount(line) for line in _lines(message)]
    if not amounts or any(amount is None for amount in amounts):
        return None
    return sum((a for a in amounts if a is not None), Decimal(0))


# -- inventory reports ---------------------------------------------------------------------------

_STOCK_KINDS = ("INV", "QTY", "LOC")


def _location(node: Mapping[str, Any]) -> str | None:
    """The id of the node's first LOC that names a place (C517 3225)."""
    for segment in _segments(node, "LOC"):
        if _component(segment, 2, 1).strip():
            return _component(segment, 2, 1).strip()
    return None


def _report_location(message: Mapping[str, Any]) -> str | None:
    """Where a report's stock is when its lines do not say: a header LOC, a LOC of a party, the
    party whose stock it is (NAD WH warehouse keeper, GY), the store (NAD SN), else the
    partner's ``default_location``."""
    found = _location(message)
    if found:
        return found
    for group in _groups(message, "NAD"):
        found = _location(group)
        if found:
            return found
    party = _party_id(_party(message, "stock_location")) or _party_id(_party(message, "store"))
    return party or current_profile().default_location


def _batch(node: Mapping[str, Any]) -> str | None:
    for segment in _segments(node, "GIN"):
        if _component(segment, 1, 1) == "BX" and _component(segment, 2, 1).strip():
            return _component(segment, 2, 1).strip()
    return None


def _stock_figure(segment: Any, direction: str) -> dict[str, Any] | None:
    """What one QTY of a report says of the stock, by ``edifact-6063-quantity``; ``None`` for a
    planning or classification figure (or one whose movement has no direction)."""
    entry = _codes(_QUANTITY).get(_component(segment, 1, 1)) or {}
    value = _number(_component(segment, 1, 2))
    kind = entry.get("inventory")
    if value is None or kind not in ("counted", "change"):
        return None
    if kind == "counted":
        return {"counted": value, "reason": "cycle_count"}
    sign, reason = entry.get("sign"), str(entry.get("reason"))
    if sign == "direction":  # INV 4501: 1 movement out of inventory, 2 into it
        if direction not in ("1", "2"):
            return None
        sign, reason = ("-", f"{reason}_out") if direction == "1" else ("+", f"{reason}_in")
    return {"change": -value if sign == "-" else value, "reason": reason}


def _direction(group: Mapping[str, Any]) -> str:
    return next((_component(s, 1, 1) for s in _segments(group, "INV") if _component(s, 1, 1)), "")


def stock_positions(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One item per stock figure of each line and location of an inventory report (INVRPT).

    A line's figures sit in groups opened by QTY (EANCOM 1997), INV (EANCOM 2002, D.01B) or
    LOC (see the reader's structures), each with its own location (LOC C517), batch (GIN BX)
    and dates. A group without a location takes the report's (:func:`_report_location`); in a
    line where other groups name their locations it is their total and gives no item. Each
    item is the line's group (LIN, PIA, IMD ...) plus ``stock``: the location, the counted
    quantity or the signed change with its reason, the unit, the batch, the expiry date and
    when the report was made.
    """
    report_location = _report_location(message)
    occurred_at = _dated(message, ("document", "inventory")) or _interchange_date(message)
    items: list[dict[str, Any]] = []
    for line in _lines(message):
        ids = _ids(line)
        groups = [group for kind in _STOCK_KINDS for group in _groups(line, kind)]
        located = any(_location(group) for group in groups)
        for group in groups:
            location = _location(group)
            if location is None and located:
                continue  # a total over the locations the line's other groups give
            direction = _direction(group)
            for segment in _segments(group, "QTY"):
                figure = _stock_figure(segment, direction)
                if figure is None:
                    continue
                figure |= {
                    "location": location or report_location,
                    "unit": _unit(segment),
                    "lot": _batch(group) or _batch(line),
                    "expiry": _dated(group, ("expiry",)) or _dated(line, ("expiry",)),
                    "occurred_at": _dated(group, ("inventory",)) or occurred_at,
                }
                items.append(dict(line) | {"stock": figure, "ids": ids})
    return items
