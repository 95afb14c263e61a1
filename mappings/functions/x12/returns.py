"""X12 180 return authorizations, for ``retail.return.authorized`` v1.

BGN03 is the date of the authorization and BGN04 its optional time; the refund is the sum of
the items' credit (``AMT*1`` in each BLI loop).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mappings.functions.x12.values import element, moment, unit

__all__ = ["authorization_date", "line_amount_total", "return_unit"]


def authorization_date(message: Mapping[str, Any]) -> datetime | None:
    """BGN03 (date, 6 or 8 digits) with BGN04 (time), which is optional."""
    return moment(message.get("BGN"), 3, 4, "BGN")


def line_amount_total(message: Mapping[str, Any]) -> str | None:
    """The sum of the line amounts (AMT*1 in each BLI loop) of a 180: the refund total."""
    total = Decimal(0)
    for item in message.get("BLI") or []:
        amounts = [element(a, 2) for a in item.get("AMT") or [] if element(a, 1) == "1"]
        if not amounts or amounts[0] is None:
            return None
        try:
            total += Decimal(amounts[0])
        except InvalidOperation:
            return None
    return str(total)


def return_unit(item: Mapping[str, Any]) -> str | None:
    """BLI04, the unit of the returned quantity, as a UN/ECE Rec 20 unit."""
    return unit(element(item.get("BLI"), 4), "BLI04")
