"""retail.return.authorized v1."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from canonical import ReturnAuthorizedV1
from canonical.events import Disposition, ItemCondition, RefundMethod
from tests.canonical import payloads


def test_example_return_validates() -> None:
    rma = ReturnAuthorizedV1.model_validate(payloads.return_authorized())
    assert rma.lines[0].condition is ItemCondition.NEW
    assert rma.lines[0].disposition is Disposition.RESTOCK
    assert rma.refund.method is RefundMethod.ORIGINAL_TENDER


def test_line_refund_in_another_currency_than_the_refund_total_is_rejected() -> None:
    data = payloads.return_authorized()
    data["lines"][0]["refund_amount"] = payloads.money("17.99", "USD")
    with pytest.raises(ValidationError, match="refund currency EUR: line 1 refund_amount is USD"):
        ReturnAuthorizedV1.model_validate(data)


def test_duplicate_return_lines_are_rejected() -> None:
    data = payloads.return_authorized()
    data["lines"].append(dict(data["lines"][0]))
    with pytest.raises(ValidationError, match="repeated: 1"):
        ReturnAuthorizedV1.model_validate(data)


def test_unknown_condition_is_rejected() -> None:
    data = payloads.return_authorized()
    data["lines"][0]["condition"] = "like_new"
    with pytest.raises(ValidationError, match="condition"):
        ReturnAuthorizedV1.model_validate(data)
