"""X12 values as the element dictionary defines them: dates, times, amounts, units, currency.

- Dates (element type DT): ``CCYYMMDD``, or ``YYMMDD`` in version 003010 and before (and from
  senders who kept the habit); the century of a six-digit date is the partner profile's
  ``date_century``, else the POSIX window (69-99 → 1900s, 00-68 → 2000s).
- Times (type TM): ``HHMM``, ``HHMMSS``, ``HHMMSSD`` (tenths) or ``HHMMSSDD`` (hundredths).
  X12 names no time zone here, so a time is taken as UTC, as the hub takes every naive time.
- Amounts: type R (``AMT02``, ``PO104``) carries its decimal point; type N2 (``SAC05``,
  ``TDS01``) has two implied decimals (``10000`` is 100.00), unless the sender wrote the point.
  A line's unit price (``PO104``, ``IT104``) is per the basis beside it (element 639,
  ``PO105``, ``IT105``): ``HP``/``TP`` price a hundred/thousand units, ``NC`` is no charge.
- Units (element 355) and currency (``CUR02``, else the partner's ``default_currency``, else
  U.S. dollars: X12 is the U.S. standard and U.S. partners leave ``CUR`` out).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from mappings.codelists import code_list
from mappings.partner_profile import current_profile

__all__ = [
    "DEFAULT_CURRENCY",
    "amount",
    "currency",
    "element",
    "implied_cents",
    "moment",
    "parse_date",
    "parse_time",
    "unit",
    "unit_price",
]

#: the currency of a document without ``CUR`` whose partner profile names none
DEFAULT_CURRENCY = "USD"


def element(segment: Sequence[Any] | None, index: int) -> str | None:
    """Element ``index`` of ``segment`` as stripped text; ``None`` when absent or blank.

    A composite's first component stands for it (``QTY03`` may be the composite ``C001``).
    """
    if segment is None or len(segment) <= index:
        return None
    value = segment[index]
    # nearly every element is plain text: answered before the composite and type checks
    if value.__class__ is str:
        return value.strip() or None
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    return value.strip() or None


def parse_date(text: str, name: str) -> date:
    """The date of an X12 ``DT`` element of 8 or 6 digits; ``ValueError`` naming ``name``."""
    digits = text.strip()
    try:
        full = current_profile().expand_date(digits)
        return date(int(full[:4]), int(full[4:6]), int(full[6:8]))
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (CCYYMMDD, or YYMMDD)") from None


def parse_time(text: str, name: str) -> time:
    """The time of an X12 ``TM`` element of 4 to 8 digits; ``ValueError`` naming ``name``."""
    digits = text.strip()
    if len(digits) not in (4, 6, 7, 8) or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"{name} {text!r} is not a time (HHMM, HHMMSS, HHMMSSD or HHMMSSDD)")
    # D and DD are tenths and hundredths of a second
    fraction = digits[6:].ljust(6, "0")
    try:
        return time(int(digits[:2]), int(digits[2:4]), int(digits[4:6] or 0), int(fraction))
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a time of day") from None


def moment(
    segment: Sequence[Any] | None, date_index: int, time_index: int | None, tag: str
) -> datetime | None:
    """The date element ``date_index`` of ``segment`` with its optional time element.

    ``None`` when the date is absent (the spec says whether it is required).
    """
    day = element(segment, date_index)
    if day is None:
        return None
    when = datetime.combine(parse_date(day, f"{tag}{date_index:02d}"), time())
    clock = element(segment, time_index) if time_index is not None else None
    if clock is not None:
        when = datetime.combine(when.date(), parse_time(clock, f"{tag}{time_index:02d}"))
    return when


def amount(text: str | None, name: str) -> Decimal | None:
    """An amount of type R (decimal point written, or none for a whole number)."""
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{name} {text!r} is not a number")
    return value


def implied_cents(text: str | None, name: str) -> Decimal | None:
    """An amount of type N2: two implied decimals (``10000`` is 100.00).

    A sender who wrote the decimal point anyway (``100.00``) meant what it wrote.
    """
    value = amount(text, name)
    if value is None or text is None or "." in text:
        return value
    return value.scaleb(-2)


def unit_price(text: str | None, basis: str | None, name: str) -> Decimal | None:
    """The price of one unit from a price of type R and its basis code (element 639).

    ``HP`` and ``TP`` price a hundred and a thousand units and are brought to one; ``NC`` (no
    charge) is zero; every other basis prices one unit (code list ``x12-639-price-basis``).
    ``None`` when no price is stated.
    """
    price = amount(text, name)
    if price is None or basis is None:
        return price
    divisor = _price_divisors().get(basis.strip())
    if divisor is None:
        return price
    return price / divisor if divisor else divisor  # zero: no charge


@functools.cache
def _price_divisors() -> dict[str, Decimal]:
    """Basis code (element 639) → what its price is divided by to price one unit, zero for no
    charge; a basis that prices one unit is not listed. Read once: a line's price is read
    for every line of every order and invoice."""
    divisors: dict[str, Decimal] = {}
    for code, entry in code_list("x12-639-price-basis").codes.items():
        if entry.get("free"):
            divisors[code] = Decimal(0)
        elif entry.get("per"):
            divisors[code] = Decimal(entry["per"])
    return divisors


def unit(code: str | None, name: str) -> str | None:
    """The UN/ECE Rec 20 unit of an X12 unit code (element 355).

    ``ZZ`` (mutually defined) and a missing code mean the partner's ``default_unit``; an
    unlisted code is an error naming it, never a guess.
    """
    if code is None or code == "ZZ":
        default = current_profile().default_unit
        if default is None and code == "ZZ":
            raise ValueError(
                f"{name} 'ZZ' is a mutually defined unit: the partner profile's default_unit "
                "says which"
            )
        return default
    rec20 = code_list("x12-355-unit").value(code, "rec20")
    if rec20 is None:
        raise ValueError(f"{name} {code!r} is not a unit of measure Crossdock knows (X12 355)")
    return str(rec20)


def currency(message: Mapping[str, Any]) -> str:
    """The currency of a document's amounts: ``CUR02``, the partner's, else U.S. dollars."""
    stated = element(message.get("CUR"), 2)
    return (stated or current_profile().default_currency or DEFAULT_CURRENCY).upper()
