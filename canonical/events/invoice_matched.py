"""``retail.invoice.matched``: a supplier invoice was matched to its PO (and receipts).

Variance conventions, enforced so every producer means the same thing:

* ``quantity_variance`` = invoiced − received for a three-way match, invoiced − ordered for a
  two-way match (positive: billed for more than the basis).
* ``price_variance`` = invoiced unit price − PO unit price, per unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from canonical.events.base import EventData
from canonical.events.consistency import require_one_currency, require_unique_line_numbers
from canonical.identifiers import DocumentRef, Sku, SupplierId
from canonical.money import CurrencyCode, Money
from canonical.quantity import Quantity

_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
_Percent = Annotated[Decimal, Field(ge=0)]


class MatchType(StrEnum):
    """Which documents were matched: PO + invoice, or PO + receipt + invoice."""

    TWO_WAY = "two_way"
    THREE_WAY = "three_way"


class MatchStatus(StrEnum):
    """Outcome of the match."""

    MATCHED = "matched"
    WITHIN_TOLERANCE = "within_tolerance"
    MISMATCHED = "mismatched"


class Tolerance(BaseModel):
    """The tolerances the match was judged against."""

    model_config = _CONFIG

    quantity_pct: _Percent
    """Allowed quantity deviation in percent."""
    price_pct: _Percent
    """Allowed unit price deviation in percent."""
    amount: Money | None = None
    """Allowed absolute deviation of the invoice total."""


class InvoiceMatchLine(BaseModel):
    """One invoice line with its PO and receipt figures."""

    model_config = _CONFIG

    line_no: Annotated[int, Field(ge=1)]
    sku: Sku
    ordered_qty: Quantity
    received_qty: Quantity | None = None
    """Required for a three-way match."""
    invoiced_qty: Quantity
    po_unit_price: Money
    invoiced_unit_price: Money
    quantity_variance: Decimal
    price_variance: Money

    def check_variances(self, match_type: MatchType) -> None:
        """Raise ``ValueError`` if units differ or a variance breaks the module's conventions."""
        units = {q.unit for q in (self.ordered_qty, self.received_qty, self.invoiced_qty) if q}
        if len(units) > 1:
            raise ValueError(f"line {self.line_no}: quantities in different units {sorted(units)}")
        if match_type is MatchType.THREE_WAY:
            if self.received_qty is None:
                raise ValueError(f"line {self.line_no}: three_way match requires received_qty")
            basis = self.received_qty.value
        else:
            basis = self.ordered_qty.value
        expected_qty = self.invoiced_qty.value - basis
        if self.quantity_variance != expected_qty:
            raise ValueError(
                f"line {self.line_no}: quantity_variance {self.quantity_variance} "
                f"expected {expected_qty}"
            )
        expected_price = self.invoiced_unit_price.amount - self.po_unit_price.amount
        if self.price_variance.amount != expected_price:
            raise ValueError(
                f"line {self.line_no}: price_variance {self.price_variance.amount} "
                f"expected {expected_price}"
            )


class InvoiceTotals(BaseModel):
    """Invoice-level totals."""

    model_config = _CONFIG

    invoiced: Money
    matched: Money | None = None
    """Amount approved for payment, when the matcher decided one."""
    variance: Money


class InvoiceMatchedV1(EventData):
    """A supplier invoice was matched against the purchase order (and goods receipts)."""

    event_type: ClassVar[str] = "retail.invoice.matched"
    event_version: ClassVar[int] = 1

    invoice_id: DocumentRef
    supplier_id: SupplierId
    po_ref: DocumentRef
    receipt_refs: list[DocumentRef] = Field(default_factory=list)
    """Goods receipts matched; at least one for a three-way match."""
    invoice_date: dt.date
    currency: CurrencyCode
    match_type: MatchType
    status: MatchStatus
    tolerance: Tolerance
    lines: Annotated[list[InvoiceMatchLine], Field(min_length=1)]
    totals: InvoiceTotals

    @model_validator(mode="after")
    def _check_match(self) -> Self:
        if self.match_type is MatchType.THREE_WAY and not self.receipt_refs:
            raise ValueError("three_way match requires at least one receipt_refs entry")
        require_unique_line_numbers(line.line_no for line in self.lines)
        require_one_currency(self.currency, self._amounts(), scope="invoice")
        for line in self.lines:
            line.check_variances(self.match_type)
        if self.status is MatchStatus.MATCHED:
            self._check_exact_match()
        return self

    def _check_exact_match(self) -> None:
        off = [
            f"line {line.line_no}"
            for line in self.lines
            if line.quantity_variance != 0 or line.price_variance.amount != 0
        ]
        if self.totals.variance.amount != 0:
            off.append("totals.variance")
        if off:
            raise ValueError(
                "status matched requires zero variances; non-zero at " + ", ".join(off)
            )

    def _amounts(self) -> Iterator[tuple[str, Money | None]]:
        yield "tolerance.amount", self.tolerance.amount
        for line in self.lines:
            yield f"line {line.line_no} po_unit_price", line.po_unit_price
            yield f"line {line.line_no} invoiced_unit_price", line.invoiced_unit_price
            yield f"line {line.line_no} price_variance", line.price_variance
        yield "totals.invoiced", self.totals.invoiced
        yield "totals.matched", self.totals.matched
        yield "totals.variance", self.totals.variance
