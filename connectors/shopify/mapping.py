"""Shopify JSON → canonical event data: the ONE function the connector maps through.

:func:`to_canonical` is the seam. When ``mappings/specs/shopify/`` holds a spec for the topic
(``source: {format: shopify, message: <topic>}``, written separately and reviewed like code),
that spec maps it; until then the three topics are mapped here in code. So merging the specs
needs no change here; :func:`mapping_ref` names whichever mapped (it is part of event ids).

Where Shopify gives less than the canonical event needs, the code mapping's choices are:

- ``inventory_levels/update`` carries the new *available* quantity of an inventory item at a
  location, not a delta and not a SKU: it becomes a count (``counted_quantity``, reason
  ``correction``) of SKU ``shopify-item:<inventory_item_id>``;
- ``refunds/create`` is an authorised return: each refund line becomes a return line,
  disposition ``restock`` when Shopify restocks it (``restock_type: return``, or the older
  ``restock: true``), else
  ``liquidate``; condition ``opened`` and reason code ``SHOPIFY_REFUND`` (a refund records
  neither; the note is free text); refunded to the original
  tender, the total being the sum of the refund transactions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from canonical import (
    EventData,
    InventoryAdjustedV1,
    OrderCreatedV1,
    ReturnAuthorizedV1,
    event_model,
)
from connectors.errors import RecordError
from mappings import SPECS_DIR, CompiledMapping, SpecRegistry

__all__ = ["MAPPING_REF", "SHOPIFY_SPECS", "TOPICS", "mapping_ref", "spec_for", "to_canonical"]

#: the code mapping's identity in event ids; bump it when the output of a topic changes
MAPPING_REF = "shopify.code@1"

#: where the Shopify mapping specs live
SHOPIFY_SPECS = SPECS_DIR / "shopify"

#: webhook topic → canonical event type
TOPICS = {
    "orders/create": "retail.order.created",
    "refunds/create": "retail.return.authorized",
    "inventory_levels/update": "retail.inventory.adjusted",
}


def _money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": str(Decimal(str(amount))), "currency": currency}


def _shipping_total(order: Mapping[str, Any]) -> Decimal:
    shop_money = (order.get("total_shipping_price_set") or {}).get("shop_money") or {}
    if "amount" in shop_money:
        return Decimal(str(shop_money["amount"]))
    return sum(
        (Decimal(str(s.get("price", "0"))) for s in order.get("shipping_lines") or []), Decimal()
    )


def _order(order: Mapping[str, Any]) -> dict[str, Any]:
    cur = str(order["currency"])
    lines = []
    for n, item in enumerate(order.get("line_items") or [], 1):
        discounts = [
            {"amount": _money(d["amount"], cur)}
            for d in item.get("discount_allocations") or []
            if Decimal(str(d.get("amount", "0")))
        ]
        lines.append(
            {
                "line_no": n,
                "sku": item.get("sku") or f"shopify-variant:{item.get('variant_id') or item['id']}",
                "description": item.get("title"),
                "quantity": {"value": str(item["quantity"]), "unit": "C62"},
                "unit_price": _money(item["price"], cur),
                "discounts": discounts,
                "tax": [
                    {
                        "type": t.get("title") or "TAX",
                        "rate": str(Decimal(str(t["rate"])) * 100) if "rate" in t else None,
                        "amount": _money(t["price"], cur),
                    }
                    for t in item.get("tax_lines") or []
                ],
            }
        )
    ship = order.get("shipping_address")
    fulfillment = None
    if ship:
        fulfillment = {
            "method": "ship",
            "ship_to": {
                "name": ship.get("name"),
                "lines": [x for x in (ship.get("address1"), ship.get("address2")) if x],
                "city": ship["city"],
                "region": ship.get("province_code"),
                "postal_code": ship.get("zip"),
                "country": ship["country_code"],
            },
        }
    customer = order.get("customer") or {}
    return {
        "order_id": str(order.get("name") or order["id"]),
        "channel": "store" if order.get("source_name") == "pos" else "web",
        "ordered_at": order["created_at"],
        "location_id": str(order["location_id"]) if order.get("location_id") else None,
        "customer_ref": str(customer["id"]) if customer.get("id") else None,
        "currency": cur,
        "prices_include_tax": bool(order.get("taxes_included")),
        "lines": lines,
        "totals": {
            "subtotal": _money(order["subtotal_price"], cur),
            "discount_total": _money(order.get("total_discounts", "0"), cur),
            "tax_total": _money(order.get("total_tax", "0"), cur),
            "shipping_total": _money(_shipping_total(order), cur),
            "grand_total": _money(order["total_price"], cur),
        },
        "fulfillment": fulfillment,
    }


def _refund_currency(refund: Mapping[str, Any], transactions: list[Any]) -> str:
    if transactions and transactions[0].get("currency"):
        return str(transactions[0]["currency"])
    for rli in refund.get("refund_line_items") or []:
        code = ((rli.get("subtotal_set") or {}).get("shop_money") or {}).get("currency_code")
        if code:
            return str(code)
    raise ValueError("no currency in the refund's transactions or line amounts")


def _restocked(refund: Mapping[str, Any], rli: Mapping[str, Any]) -> bool:
    # restock_type is per line (current API); older payloads only say restock at the top
    if "restock_type" in rli:
        return bool(rli["restock_type"] == "return")
    return bool(refund.get("restock"))


def _line_refund(rli: Mapping[str, Any], item: Mapping[str, Any]) -> Decimal:
    # subtotal is per line in the current API; older payloads leave price x quantity
    if rli.get("subtotal") is not None:
        return Decimal(str(rli["subtotal"]))
    return Decimal(str(item["price"])) * Decimal(str(rli["quantity"]))


def _refund(refund: Mapping[str, Any]) -> dict[str, Any]:
    transactions = [t for t in refund.get("transactions") or [] if t.get("kind") == "refund"]
    cur = _refund_currency(refund, transactions)
    lines = []
    for n, rli in enumerate(refund.get("refund_line_items") or [], 1):
        item = rli.get("line_item") or {}
        sku = item.get("sku") or f"shopify-variant:{item.get('variant_id') or rli['line_item_id']}"
        lines.append(
            {
                "line_no": n,
                "sku": sku,
                "quantity": {"value": str(rli["quantity"]), "unit": "C62"},
                "reason_code": "SHOPIFY_REFUND",
                "condition": "opened",
                "disposition": "restock" if _restocked(refund, rli) else "liquidate",
                "refund_amount": _money(_line_refund(rli, item), cur),
            }
        )
    total = sum((Decimal(str(t["amount"])) for t in transactions), Decimal())
    return {
        "rma_id": f"shopify-refund:{refund['id']}",
        "original_order_ref": str(refund["order_id"]),
        "channel": "web",
        "authorized_at": refund["created_at"],
        "lines": lines,
        "refund": {"total": _money(total, cur), "method": "original_tender"},
    }


def _inventory(level: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "location_id": str(level["location_id"]),
        "sku": f"shopify-item:{level['inventory_item_id']}",
        "counted_quantity": {"value": str(level["available"]), "unit": "C62"},
        "reason": "correction",
        "occurred_at": level["updated_at"],
    }


_MODELS: dict[str, tuple[type[EventData], Any]] = {
    "orders/create": (OrderCreatedV1, _order),
    "refunds/create": (ReturnAuthorizedV1, _refund),
    "inventory_levels/update": (InventoryAdjustedV1, _inventory),
}


@functools.cache
def _specs(folder: Path) -> dict[str, CompiledMapping]:
    if not folder.is_dir():
        return {}
    registry = SpecRegistry.from_directory(folder)
    return {m.source_message: m for m in registry.for_source("shopify") if m.source_message}


def spec_for(topic: str) -> CompiledMapping | None:
    """The mapping spec of ``topic`` in :data:`SHOPIFY_SPECS`, if there is one."""
    return _specs(SHOPIFY_SPECS).get(topic)


def mapping_ref(topic: str) -> str:
    """``id@version`` of what maps ``topic``: its spec, else the code mapping."""
    spec = spec_for(topic)
    return f"{spec.id}@{spec.version}" if spec is not None else MAPPING_REF


def to_canonical(topic: str, payload: Mapping[str, Any], *, location: str) -> EventData:
    """The canonical event data of one Shopify payload of ``topic`` (its spec, else code).

    Raises :class:`RecordError` naming ``location`` for a payload that lacks what the event
    needs, and pydantic's ``ValidationError`` for one that breaks a canonical rule; both are
    dead-lettered with the delivery's bytes.
    """
    spec = spec_for(topic)
    if spec is not None:  # a MappingError or ValidationError names the field; dead-lettered
        return event_model(spec.target_type, spec.target_version).model_validate(spec(payload))
    found = _MODELS.get(topic)
    if found is None:
        raise RecordError(location, f"topic {topic!r} is not mapped; mapped: {sorted(_MODELS)}")
    model, build = found
    try:
        fields = build(payload)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        field = exc.args[0] if isinstance(exc, KeyError) else None
        raise RecordError(location, f"cannot map {topic}: {exc!r}", field=field) from exc
    return model.model_validate(fields)
