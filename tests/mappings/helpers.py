"""Functions used by test specs through the ``python:`` escape hatch."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def line_total(record: Any) -> str:
    """Sum of the item quantities, as text (so the spec's decimal transform converts it)."""
    return str(sum(Decimal(item["qty"]) for item in record["items"]))


def double_qty(item: Any) -> int:
    """Twice the item quantity."""
    return int(item["qty"]) * 2


def explode(item: Any) -> Any:
    """Fail the way a buggy escape-hatch function fails."""
    raise ZeroDivisionError("division by zero")


def stock_per_store(record: Any) -> list[dict[str, Any]]:
    """One item per (line, store) of a report whose lines hold per-store quantities."""
    return [
        {"sku": line["sku"], "store": store, "qty": qty}
        for line in record["lines"]
        for store, qty in line["stores"].items()
    ]
