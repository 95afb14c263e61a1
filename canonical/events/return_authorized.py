"""``retail.return.authorized``: a return (RMA) was approved, with its refund decided."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from canonical.channel import Channel
from canonical.events.base import EventData
from canonical.events.consistency import require_one_currency, require_unique_line_numbers
from canonical.gtin import Gtin
from canonical.identifiers import CustomerRef, DocumentRef, LocationId, Sku
from canonical.money import Money
from canonical.quantity import Quantity
from canonical.timestamps import UtcDatetime

_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class ItemCondition(StrEnum):
    """Condition of the returned item as inspected."""

    NEW = "new"
    OPENED = "opened"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"


class Disposition(StrEnum):
    """What happens to the returned item."""

    RESTOCK = "restock"
    REFURBISH = "refurbish"
    LIQUIDATE = "liquidate"
    RETURN_TO_VENDOR = "return_to_vendor"


class RefundMethod(StrEnum):
    """How the customer is paid back."""

    ORIGINAL_TENDER = "original_tender"
    STORE_CREDIT = "store_credit"
    GIFT_CARD = "gift_card"
    CASH = "cash"
    EXCHANGE = "exchange"


class ReturnLine(BaseModel):
    """One returned item."""

    model_config = _CONFIG

    line_no: Annotated[int, Field(ge=1)]
    sku: Sku
    gtin: Gtin | None = None
    quantity: Quantity
    reason_code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]
    """The retailer's return reason code (e.g. ``WRONG_SIZE``)."""
    condition: ItemCondition
    disposition: Disposition
    refund_amount: Money
    """Refund for the whole line."""

    @model_validator(mode="after")
    def _check_quantity(self) -> Self:
        if self.quantity.value <= 0:
            raise ValueError(f"line {self.line_no}: quantity {self.quantity.value} must be > 0")
        return self


class Refund(BaseModel):
    """The refund decided for the whole return."""

    model_config = _CONFIG

    total: Money
    method: RefundMethod


class ReturnAuthorizedV1(EventData):
    """A return was authorized: which items come back, in what state, and the refund."""

    event_type: ClassVar[str] = "retail.return.authorized"
    event_version: ClassVar[int] = 1

    rma_id: DocumentRef
    original_order_ref: DocumentRef | None = None
    channel: Channel
    authorized_at: UtcDatetime
    location_id: LocationId | None = None
    """Store or returns centre receiving the items."""
    customer_ref: CustomerRef | None = None
    lines: Annotated[list[ReturnLine], Field(min_length=1)]
    refund: Refund

    @model_validator(mode="after")
    def _check_return(self) -> Self:
        require_unique_line_numbers(line.line_no for line in self.lines)
        require_one_currency(self.refund.total.currency, self._amounts(), scope="refund")
        return self

    def _amounts(self) -> Iterator[tuple[str, Money]]:
        for line in self.lines:
            yield f"line {line.line_no} refund_amount", line.refund_amount
