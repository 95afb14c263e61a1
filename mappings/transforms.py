"""Named value transforms used by mapping specs (``transform: decimal``), and their registry.

A transform takes one non-``None`` source value and returns the converted value. It raises
``ValueError`` with a short reason (``"not a decimal number"``) when the value cannot be converted;
the compiled mapping turns that into a ``MappingError`` naming the field and source location.
Converting transforms (``decimal``, ``int``, ``date``, ``datetime``, ``bool``) map a blank string to
``None``: an empty CSV cell or X12 element means "no value", not "bad value".

Extend the set with :func:`register_transform` before compiling the specs that use the new name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .codelists import country_alpha2

__all__ = [
    "TEXT_FORMS",
    "Transform",
    "get_transform",
    "register_transform",
    "transform_names",
]

Transform = Callable[[Any], Any]
"""A transform: one source value in, one converted value out; ``ValueError`` when impossible."""

_REGISTRY: dict[str, Transform] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def register_transform(name: str, function: Transform, *, replace: bool = False) -> None:
    """Make ``function`` available to specs as ``transform: <name>``.

    Registering an existing name again raises ``ValueError`` unless ``replace=True``, so two
    plug-ins cannot silently fight over a name.
    """
    if not _NAME.match(name):
        raise ValueError(f"transform name {name!r} must match {_NAME.pattern}")
    if name in _REGISTRY and not replace and _REGISTRY[name] is not function:
        raise ValueError(f"transform {name!r} is already registered")
    _REGISTRY[name] = function


def get_transform(name: str) -> Transform:
    """Return the transform registered as ``name``; ``KeyError`` lists the known names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(transform_names())
        raise KeyError(f"unknown transform {name!r} (known: {known})") from None


def transform_names() -> list[str]:
    """The registered transform names, sorted."""
    return sorted(_REGISTRY)


def _text(value: Any) -> str:
    if value.__class__ is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise ValueError(f"expected text, got {type(value).__name__}")


def strip(value: Any) -> str:
    """Remove leading and trailing whitespace."""
    return _text(value).strip()


def upper(value: Any) -> str:
    """Upper-case the text."""
    return _text(value).upper()


def lower(value: Any) -> str:
    """Lower-case the text."""
    return _text(value).lower()


def to_str(value: Any) -> str:
    """Text of a scalar (numbers as written, ``Decimal`` without float rounding)."""
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"cannot turn {type(value).__name__} into text")


def to_decimal(value: Any) -> Decimal | None:
    """An exact ``Decimal`` from text (``"12.50"``, ``"-3"``, ``"1E2"``) or a number; blank → None.

    A decimal comma is rejected here on purpose: ``"1,5"`` might be 1.5 or 15 depending on the
    sender, so a spec must say ``decimal_comma`` explicitly.
    """
    if value.__class__ is str:
        return _decimal_from_text(value)
    return _number_to_decimal(value)


#: bulk feeds repeat the same few quantities row after row; a hit costs a third of a parse.
#: Values are immutable, and failures raise, which the cache never stores.
_TEXT_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=_TEXT_CACHE_SIZE)
def _decimal_from_text(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        if not value.strip():
            return None
        raise ValueError("not a decimal number") from None
    # Decimal() also accepts 'NaN', 'Infinity' and '1_000'; none is a business quantity.
    if not number.is_finite() or "_" in value:
        raise ValueError("not a decimal number")
    return number


def _number_to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not a decimal number (got a boolean)")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a decimal number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # JSON parsers that produce floats: take the shortest repr, never the binary expansion.
        return to_decimal(repr(value))  # type: ignore[return-value]
    if isinstance(value, str):
        return to_decimal(str(value))  # type: ignore[return-value]
    raise ValueError(f"not a decimal number (got {type(value).__name__})")


def to_decimal_comma(value: Any) -> Decimal | None:
    """Like ``decimal`` with a decimal comma (``"1,5"`` → 1.5); thousands marks are rejected."""
    if isinstance(value, str):
        if "." in value:
            raise ValueError("not a decimal-comma number (contains '.')")
        return to_decimal(value.replace(",", ".", 1))
    return to_decimal(value)


_INT = re.compile(r"^\s*[-+]?\d+\s*$")


def to_int(value: Any) -> int | None:
    """A whole number from text (``"42"``) or an integral number; blank → None."""
    if isinstance(value, str):
        if _INT.match(value):
            return int(value)
        if not value.strip():
            return None
        raise ValueError("not a whole number")
    if isinstance(value, bool):
        raise ValueError("not a whole number (got a boolean)")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError("not a whole number")


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def to_bool(value: Any) -> bool | None:
    """``true/false``, ``yes/no``, ``y/n``, ``t/f``, ``1/0`` (any case); blank → None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        if not word:
            return None
    raise ValueError("not a yes/no value")


def to_date(value: Any) -> date | None:
    """A date from ISO 8601 (``2024-05-01``) or ``CCYYMMDD`` (``20240501``); blank → None."""
    if isinstance(value, datetime):
        raise ValueError("expected a date, got a timestamp")
    if isinstance(value, date):
        return value
    text = _text(value).strip()
    if not text:
        return None
    try:
        if len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date (expected YYYY-MM-DD or YYYYMMDD)") from None


def to_datetime(value: Any) -> datetime | None:
    """A UTC timestamp from ISO 8601 or ``CCYYMMDDHHMM[SS]``; naive times are taken as UTC.

    Aware times are converted to UTC: inside the hub every timestamp is UTC.
    """
    if value.__class__ is str:
        return _datetime_from_text(value)
    if isinstance(value, datetime):
        return _utc(value)
    return _datetime_from_text(_text(value))


@functools.lru_cache(maxsize=_TEXT_CACHE_SIZE)
def _datetime_from_text(value: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) in (12, 14) and text.isdigit():
            moment = datetime(
                int(text[:4]),
                int(text[4:6]),
                int(text[6:8]),
                int(text[8:10]),
                int(text[10:12]),
                int(text[12:] or 0),
            )
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not a timestamp (expected ISO 8601 or YYYYMMDDHHMM[SS])") from None
    return _utc(moment)


def to_country(value: Any) -> str | None:
    """An ISO 3166-1 alpha-2 code from an alpha-2 or alpha-3 one (``USA`` -> ``US``)."""
    text = _text(value).strip()
    return country_alpha2(text) if text else None


def _utc(moment: datetime) -> datetime:
    tz = moment.tzinfo
    if tz is UTC:  # the common "…Z" case: already what the hub wants
        return moment
    if tz is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


#: built-ins whose work for a str is one function, by built-in: what a generated row function
#: calls where its value is known to be a str (a CSV column, a text built-in's result), a
#: Python call less a field (the built-in only dispatches on the value's type)
TEXT_FORMS: dict[Transform, Callable[[str], Any]] = {
    to_decimal: _decimal_from_text,
    to_datetime: _datetime_from_text,
}

for _name, _function in (
    ("bool", to_bool),
    ("country", to_country),
    ("date", to_date),
    ("datetime", to_datetime),
    ("decimal", to_decimal),
    ("decimal_comma", to_decimal_comma),
    ("int", to_int),
    ("lower", lower),
    ("str", to_str),
    ("strip", strip),
    ("upper", upper),
):
    register_transform(_name, _function)
