"""Derived facts per event type, computed once per event in Python for the rules to read.

Rules say ``facts.variance_pct >= const.variance_pct`` instead of repeating the arithmetic in
CEL: the figures then mean the same thing in every rule, and cost nothing per rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["FACTS", "facts_for"]

Facts = dict[str, Any]


_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def _amount(money: Any) -> Decimal:
    if isinstance(money, dict) and "amount" in money:
        return Decimal(str(money["amount"]))
    return Decimal(0)


def _value(quantity: Any) -> Decimal | None:
    if isinstance(quantity, dict) and (value := quantity.get("value")) is not None:
        # a Decimal already (the validated data's) is the Decimal its text would give
        return value if type(value) is Decimal else Decimal(str(value))
    return None


def inventory_facts(data: dict[str, Any], now: datetime) -> Facts:
    """Counted vs expected on hand: ``variance_units`` (signed), its absolute, ``variance_pct``."""
    counted = _value(data.get("counted_quantity"))
    expected = _value(data.get("expected_on_hand"))
    if counted is not None and expected is not None:
        variance = counted - expected
        units = abs(variance)
        # Decimal constants: an int operand is made a Decimal of it at each operation
        if expected != _ZERO:
            pct = units / abs(expected) * _HUNDRED
        else:
            pct = Decimal(100) if variance else Decimal(0)
        return {
            "is_count": True,
            "has_expected": True,
            "counted": counted,
            "expected": expected,
            "variance_units": variance,
            "abs_variance_units": units,
            "variance_pct": pct,
        }
    zero = Decimal(0)
    return {
        "is_count": counted is not None,
        "has_expected": expected is not None,
        "variance_units": zero,
        "abs_variance_units": zero,
        "variance_pct": zero,
    }


def order_facts(data: dict[str, Any], now: datetime) -> Facts:
    """``is_pickup``, ``promised_by`` (when given), ``minutes_past_promise``, ``order_value``."""
    fulfillment = data.get("fulfillment") or {}
    promised = fulfillment.get("promised_by")
    facts: Facts = {
        "is_pickup": fulfillment.get("method") == "pickup_in_store",
        "order_value": _amount((data.get("totals") or {}).get("grand_total")),
        "pickup_store": fulfillment.get("location_id") or "",
        "line_count": len(data.get("lines") or ()),
    }
    if isinstance(promised, datetime):
        facts["promised_by"] = promised
        facts["minutes_past_promise"] = (now - promised).total_seconds() / 60
    else:
        facts["minutes_past_promise"] = 0.0
    return facts


def invoice_facts(data: dict[str, Any], now: datetime) -> Facts:
    """``variance_amount`` (absolute), ``variance_pct`` of the invoice, ``tolerance_amount``,
    ``max_price_variance_pct`` and ``max_quantity_variance_pct`` over the lines."""
    totals = data.get("totals") or {}
    invoiced = _amount(totals.get("invoiced"))
    variance = abs(_amount(totals.get("variance")))
    tolerance = data.get("tolerance") or {}
    max_price = Decimal(0)
    max_qty = Decimal(0)
    for line in data.get("lines") or ():
        po = _amount(line.get("po_unit_price"))
        if po:
            max_price = max(max_price, abs(_amount(line.get("price_variance"))) / po * 100)
        ordered = _value(line.get("ordered_qty")) or Decimal(0)
        if ordered:
            qty = abs(Decimal(str(line.get("quantity_variance", 0))))
            max_qty = max(max_qty, qty / ordered * 100)
    return {
        "invoiced": invoiced,
        "variance_amount": variance,
        "variance_pct": variance / invoiced * 100 if invoiced else Decimal(0),
        "tolerance_amount": (
            _amount(tolerance.get("amount")) if tolerance.get("amount") else Decimal(-1)
        ),
        "max_price_variance_pct": max_price,
        "max_quantity_variance_pct": max_qty,
        "mismatched": data.get("status") == "mismatched",
    }


def return_facts(data: dict[str, Any], now: datetime) -> Facts:
    """``refund_total``, ``max_line_refund``, ``no_receipt``, ``cash_refund``, ``opened_items``."""
    lines = data.get("lines") or ()
    refund = data.get("refund") or {}
    return {
        "refund_total": _amount(refund.get("total")),
        "refund_method": refund.get("method", ""),
        "cash_refund": refund.get("method") == "cash",
        "max_line_refund": max(
            (_amount(x.get("refund_amount")) for x in lines), default=Decimal(0)
        ),
        "no_receipt": data.get("original_order_ref") is None,
        "opened_items": sum(1 for x in lines if x.get("condition") in ("opened", "damaged")),
        "line_count": len(lines),
    }


FACTS: dict[str, Callable[[dict[str, Any], datetime], Facts]] = {
    "retail.inventory.adjusted": inventory_facts,
    "retail.order.created": order_facts,
    "retail.invoice.matched": invoice_facts,
    "retail.return.authorized": return_facts,
}
"""Event type → function computing its facts (types not listed have no facts)."""


def facts_for(event_type: str, data: dict[str, Any], now: datetime) -> Facts:
    """The facts of one event (empty for a type with no fact function)."""
    compute = FACTS.get(event_type)
    return compute(data, now) if compute is not None else {}
