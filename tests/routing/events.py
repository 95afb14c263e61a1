"""Event factories for the routing tests: CloudEvents dicts of the four canonical types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

_SEQ = iter(range(1, 10**9))


def envelope(event_type: str, version: int, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """A structured-mode CloudEvent with a fresh id."""
    return {
        "specversion": "1.0",
        "id": f"ev-{next(_SEQ)}",
        "source": "crossdock://tests",
        "type": event_type,
        "time": at.isoformat(),
        "dataversion": version,
        "data": data,
    }


def count(store: str, sku: str, counted: int, expected: int, at: datetime) -> dict[str, Any]:
    """A cycle count of ``sku`` at ``store``."""
    return envelope(
        "retail.inventory.adjusted",
        1,
        {
            "location_id": store,
            "sku": sku,
            "counted_quantity": {"value": str(counted), "unit": "C62"},
            "expected_on_hand": {"value": str(expected), "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": at.isoformat(),
        },
        at,
    )


def money(amount: str) -> dict[str, str]:
    """EUR money."""
    return {"amount": amount, "currency": "EUR"}


def pickup_order(order_id: str, store: str, promised_by: datetime, at: datetime) -> dict[str, Any]:
    """A click & collect order promised for ``promised_by``."""
    return envelope(
        "retail.order.created",
        2,
        {
            "order_id": order_id,
            "channel": "web",
            "ordered_at": at.isoformat(),
            "customer_ref": "cust-1",
            "currency": "EUR",
            "lines": [
                {
                    "line_no": 1,
                    "sku": "TOY-1",
                    "quantity": {"value": "1", "unit": "C62"},
                    "unit_price": money("59.90"),
                }
            ],
            "totals": {
                "subtotal": money("59.90"),
                "discount_total": money("0"),
                "tax_total": money("0"),
                "shipping_total": money("0"),
                "grand_total": money("59.90"),
            },
            "fulfillment": {
                "method": "pickup_in_store",
                "location_id": store,
                "promised_by": promised_by.isoformat(),
            },
        },
        at,
    )


def order_event(event_type: str, order_id: str, at: datetime) -> dict[str, Any]:
    """A non-canonical order status event (``retail.order.ready_for_pickup``…)."""
    return envelope(event_type, 1, {"order_id": order_id}, at)


def invoice(
    invoice_id: str, variance: str, at: datetime, *, status: str = "mismatched"
) -> dict[str, Any]:
    """A two-way match of one line whose price is off by ``variance`` per unit (10 units)."""
    po_price = "10.00"
    inv_price = f"{10 + float(variance):.2f}"
    total_variance = f"{float(variance) * 10:.2f}"
    return envelope(
        "retail.invoice.matched",
        1,
        {
            "invoice_id": invoice_id,
            "supplier_id": "SUP-7",
            "po_ref": f"PO-{invoice_id}",
            "invoice_date": at.date().isoformat(),
            "currency": "EUR",
            "match_type": "two_way",
            "status": status,
            "tolerance": {"quantity_pct": "0", "price_pct": "2"},
            "lines": [
                {
                    "line_no": 1,
                    "sku": "FLOUR-1",
                    "ordered_qty": {"value": "10", "unit": "C62"},
                    "invoiced_qty": {"value": "10", "unit": "C62"},
                    "po_unit_price": money(po_price),
                    "invoiced_unit_price": money(inv_price),
                    "quantity_variance": "0",
                    "price_variance": money(f"{float(variance):.2f}"),
                }
            ],
            "totals": {
                "invoiced": money(f"{float(inv_price) * 10:.2f}"),
                "variance": money(total_variance),
            },
        },
        at,
    )


def return_event(
    rma: str,
    store: str,
    refund: str,
    at: datetime,
    *,
    method: str = "original_tender",
    receipt: bool = True,
) -> dict[str, Any]:
    """A one-line return refunding ``refund``."""
    data: dict[str, Any] = {
        "rma_id": rma,
        "channel": "store",
        "authorized_at": at.isoformat(),
        "location_id": store,
        "lines": [
            {
                "line_no": 1,
                "sku": "TV-55",
                "quantity": {"value": "1", "unit": "C62"},
                "reason_code": "CHANGED_MIND",
                "condition": "opened",
                "disposition": "restock",
                "refund_amount": money(refund),
            }
        ],
        "refund": {"total": money(refund), "method": method},
    }
    if receipt:
        data["original_order_ref"] = f"ORD-{rma}"
    return envelope("retail.return.authorized", 1, data, at)


def dead_letter_event(
    letter_id: int, connector: str, store: str, recent: int, at: datetime
) -> dict[str, Any]:
    """What the dead-letter feed emits for one dead letter."""
    return {
        "specversion": "1.0",
        "id": f"dl-{letter_id}",
        "source": "crossdock://hub/deadletter",
        "type": "crossdock.deadletter.recorded",
        "time": at.isoformat(),
        "dataversion": 1,
        "data": {
            "dead_letter_id": letter_id,
            "connector": connector,
            "stage": "mapping",
            "reason": "field amount: not a number",
            "location_id": store,
            "recent_count": recent,
        },
    }
