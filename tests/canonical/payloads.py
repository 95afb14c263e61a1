"""Valid example payloads (plain dicts, as a mapping would emit them) for the canonical tests."""

from __future__ import annotations

from typing import Any


def money(amount: str, currency: str = "EUR") -> dict[str, str]:
    """A Money dict."""
    return {"amount": amount, "currency": currency}


def inventory_count() -> dict[str, Any]:
    """A store cycle count: 7 found where the system expected 10."""
    return {
        "location_id": "S001",
        "sku": "ABC-123",
        "gtin": "4006381333931",
        "counted_quantity": {"value": "7", "unit": "C62"},
        "expected_on_hand": {"value": "10", "unit": "C62"},
        "reason": "cycle_count",
        "reference_document": "COUNT-2026-11-23",
        "occurred_at": "2026-11-23T08:15:00+01:00",
        "counted_by": "emp-042",
    }


def inventory_sale() -> dict[str, Any]:
    """A sale of two units as a signed delta."""
    return {
        "location_id": "S001",
        "sku": "ABC-123",
        "quantity_change": {"value": "-2"},
        "reason": "sale",
        "occurred_at": "2026-11-23T10:00:00Z",
    }


def order() -> dict[str, Any]:
    """A two-line web order shipped to Berlin, prices including VAT."""
    return {
        "order_id": "WEB-100045",
        "channel": "web",
        "ordered_at": "2026-11-20T18:30:00+01:00",
        "customer_ref": "cust-8812",
        "currency": "EUR",
        "prices_include_tax": True,
        "lines": [
            {
                "line_no": 1,
                "sku": "TSHIRT-M-BLU",
                "gtin": "4006381333931",
                "description": "T-shirt, blue, M",
                "quantity": {"value": "2", "unit": "C62"},
                "unit_price": money("19.99"),
                "discounts": [{"code": "WELCOME10", "amount": money("4.00")}],
                "tax": [{"type": "VAT", "rate": "19", "amount": money("5.74")}],
            },
            {
                "line_no": 2,
                "sku": "SOCKS-3PK",
                "quantity": {"value": "1", "unit": "XPK"},
                "unit_price": money("9.99"),
                "tax": [{"type": "VAT", "rate": "19", "amount": money("1.60")}],
            },
        ],
        "totals": {
            "subtotal": money("49.97"),
            "discount_total": money("4.00"),
            "tax_total": money("7.34"),
            "shipping_total": money("4.95"),
            "grand_total": money("50.92"),
        },
        "fulfillment": {
            "method": "ship",
            "promised_by": "2026-11-24T18:00:00+01:00",
            "ship_to": {
                "name": "Erika Mustermann",
                "lines": ["Heidestraße 17"],
                "city": "Berlin",
                "postal_code": "10557",
                "country": "DE",
            },
        },
    }


def order_v2() -> dict[str, Any]:
    """The example order at v2: gift shipped to Berlin, billed to Hamburg, with a loyalty card."""
    data = order()
    ship_to = data["fulfillment"].pop("ship_to")
    return data | {
        "loyalty_id": "LOY-4711-0815",
        "shipping_address": ship_to,
        "billing_address": {
            "name": "Max Mustermann",
            "lines": ["Jungfernstieg 1", "c/o Büro 3"],
            "city": "Hamburg",
            "postal_code": "20095",
            "country": "DE",
        },
    }


def inventory_lot_receipt_v2() -> dict[str, Any]:
    """A warehouse receipt of 12.5 kg of one cheese lot, with its best-before date."""
    return {
        "location_id": "DC-NORTH",
        "sku": "CHEESE-GOUDA",
        "quantity_change": {"value": "12.5", "unit": "KGM"},
        "lot_number": "L2026-311A",
        "expiry_date": "2027-03-31",
        "reason": "receipt",
        "reference_document": "GR-2026-5120",
        "occurred_at": "2026-11-23T06:40:00Z",
    }


def inventory_serial_sale_v2() -> dict[str, Any]:
    """A sale of two serial-tracked phones, each named by its serial number."""
    return {
        "location_id": "S001",
        "sku": "PHONE-X-128",
        "quantity_change": {"value": "-2", "unit": "C62"},
        "serial_numbers": ["SN-00981", "SN-00982"],
        "reason": "sale",
        "occurred_at": "2026-11-23T10:00:00Z",
    }


def return_authorized() -> dict[str, Any]:
    """An in-store return of one shirt, refunded to the original tender."""
    return {
        "rma_id": "RMA-5531",
        "original_order_ref": "WEB-100045",
        "channel": "store",
        "authorized_at": "2026-11-22T11:00:00Z",
        "location_id": "S001",
        "lines": [
            {
                "line_no": 1,
                "sku": "TSHIRT-M-BLU",
                "quantity": {"value": "1"},
                "reason_code": "WRONG_SIZE",
                "condition": "new",
                "disposition": "restock",
                "refund_amount": money("17.99"),
            }
        ],
        "refund": {"total": money("17.99"), "method": "original_tender"},
    }


def invoice_three_way() -> dict[str, Any]:
    """A three-way match: 100 ordered, 98 received, 100 invoiced at 0.05 over the PO price."""
    return {
        "invoice_id": "INV-77812",
        "supplier_id": "V-1001",
        "po_ref": "PO-2026-0815",
        "receipt_refs": ["GR-2026-4411"],
        "invoice_date": "2026-11-18",
        "currency": "USD",
        "match_type": "three_way",
        "status": "mismatched",
        "tolerance": {"quantity_pct": "1", "price_pct": "2", "amount": money("5.00", "USD")},
        "lines": [
            {
                "line_no": 1,
                "sku": "ABC-123",
                "ordered_qty": {"value": "100"},
                "received_qty": {"value": "98"},
                "invoiced_qty": {"value": "100"},
                "po_unit_price": money("2.50", "USD"),
                "invoiced_unit_price": money("2.55", "USD"),
                "quantity_variance": "2",
                "price_variance": money("0.05", "USD"),
            }
        ],
        "totals": {
            "invoiced": money("255.00", "USD"),
            "matched": money("245.00", "USD"),
            "variance": money("10.00", "USD"),
        },
    }
