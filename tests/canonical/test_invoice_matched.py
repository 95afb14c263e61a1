"""retail.invoice.matched v1: three-way needs receipts, variances follow the conventions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from canonical import InvoiceMatchedV1
from tests.canonical import payloads


def test_example_three_way_match_validates() -> None:
    match = InvoiceMatchedV1.model_validate(payloads.invoice_three_way())
    assert match.lines[0].received_qty is not None
    assert str(match.invoice_date) == "2026-11-18"


def test_three_way_needs_received_qty_on_every_line() -> None:
    data = payloads.invoice_three_way()
    del data["lines"][0]["received_qty"]
    with pytest.raises(ValidationError, match="line 1: three_way match requires received_qty"):
        InvoiceMatchedV1.model_validate(data)


def test_three_way_needs_a_receipt_reference() -> None:
    data = payloads.invoice_three_way() | {"receipt_refs": []}
    with pytest.raises(ValidationError, match="requires at least one receipt_refs"):
        InvoiceMatchedV1.model_validate(data)


def test_two_way_variance_is_against_ordered_quantity() -> None:
    data = payloads.invoice_three_way() | {"match_type": "two_way", "receipt_refs": []}
    with pytest.raises(ValidationError, match="quantity_variance 2 expected 0"):
        InvoiceMatchedV1.model_validate(data)
    data["lines"][0]["quantity_variance"] = "0"
    assert InvoiceMatchedV1.model_validate(data).lines[0].quantity_variance == 0


def test_price_variance_must_be_invoiced_minus_po_price() -> None:
    data = payloads.invoice_three_way()
    data["lines"][0]["price_variance"] = payloads.money("-0.05", "USD")
    with pytest.raises(ValidationError, match=r"price_variance -0.05 expected 0.05"):
        InvoiceMatchedV1.model_validate(data)


def test_status_matched_requires_zero_variances() -> None:
    data = payloads.invoice_three_way() | {"status": "matched"}
    with pytest.raises(ValidationError, match=r"non-zero at line 1, totals\.variance"):
        InvoiceMatchedV1.model_validate(data)


def test_quantities_in_different_units_are_rejected() -> None:
    data = payloads.invoice_three_way()
    data["lines"][0]["invoiced_qty"] = {"value": "100", "unit": "XCS"}
    with pytest.raises(ValidationError, match="different units"):
        InvoiceMatchedV1.model_validate(data)


def test_foreign_currency_tolerance_is_rejected() -> None:
    data = payloads.invoice_three_way()
    data["tolerance"]["amount"] = payloads.money("5.00", "EUR")
    with pytest.raises(ValidationError, match=r"invoice currency USD: tolerance\.amount is EUR"):
        InvoiceMatchedV1.model_validate(data)
