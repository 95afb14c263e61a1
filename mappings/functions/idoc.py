"""Values IDoc mapping specs compute from segments (``python:`` expressions).

SAP's movement types (``BWART``) say both which way stock goes and why; the table below holds
the standard ones. A reversal (the type plus one: ``102`` reverses ``101``) moves the other way
and is a correction. An unknown movement type raises ``ValueError``: guessing the direction
of a stock change would corrupt the book quantity silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["MOVEMENTS", "movement_change", "movement_reason", "street_lines"]

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


def _movement(item: Mapping[str, Any]) -> tuple[int, str]:
    code = str(item.get("BWART") or "").strip()
    try:
        return _ALL[code]
    except KeyError:
        raise ValueError(f"movement type BWART {code!r} is not a known standard type") from None


def movement_change(item: Mapping[str, Any]) -> Decimal | None:
    """``ERFMG`` (quantity in unit of entry) signed by the movement type's direction."""
    sign, _ = _movement(item)
    text = str(item.get("ERFMG") or item.get("MENGE") or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"quantity {text!r} is not a decimal number") from None
    return value if sign > 0 else -value


def movement_reason(item: Mapping[str, Any]) -> str:
    """The canonical adjustment reason of the movement type."""
    return _movement(item)[1]


def street_lines(partner: Mapping[str, Any]) -> list[str] | None:
    """The street lines of an ``E1EDKA1`` partner (``STRAS``, ``STRS2``), blanks left out."""
    lines = [str(partner.get(k) or "").strip() for k in ("STRAS", "STRS2")]
    found = [line for line in lines if line]
    return found or None
