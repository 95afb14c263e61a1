"""A refund's channel, method and currency are those of the refund transaction that paid the
money back, not of the first one listed (written here from Shopify's Refund resource: a
gateway refund that failed, then a manual refund at the till that succeeded)."""

from __future__ import annotations

import json
from pathlib import Path

import mappings
from hub.golden import golden_output

SPECS = Path(mappings.__file__).parent / "specs"
REFUND = {
    "id": 901,
    "order_id": 450789470,
    "created_at": "2026-11-21T10:00:00-05:00",
    "refund_line_items": [
        {
            "id": 1,
            "quantity": 1,
            "line_item_id": 1001,
            "restock_type": "return",
            "subtotal_set": {"presentment_money": {"amount": "20.00", "currency_code": "EUR"}},
            "line_item": {"id": 1001, "sku": "SKU-RET", "quantity": 1, "price": "20.00"},
        }
    ],
    "transactions": [
        {  # written first, failed: PayPal refused the refund
            "id": 1,
            "kind": "refund",
            "status": "failure",
            "gateway": "paypal",
            "source_name": "web",
            "amount": "20.00",
            "currency": "USD",
        },
        {  # then paid back in cash at the store's till
            "id": 2,
            "kind": "refund",
            "status": "success",
            "gateway": "manual",
            "source_name": "pos",
            "amount": "20.00",
            "currency": "EUR",
        },
    ],
}


def test_the_successful_refund_transaction_names_channel_method_and_currency(
    tmp_path: Path,
) -> None:
    spec = SPECS / "shopify" / "refunds-create" / "retail.return.authorized@1.yaml"
    body = tmp_path / "refund.json"
    body.write_text(json.dumps(REFUND), encoding="utf-8")
    (data,) = golden_output(spec, body)
    assert data["channel"] == "store"  # pos, per the spec's channel table
    assert data["refund"]["method"] == "cash"  # manual, per its method table
    assert data["refund"]["total"] == {"amount": "20.00", "currency": "EUR"}
    assert data["lines"][0]["refund_amount"] == {"amount": "20.00", "currency": "EUR"}
