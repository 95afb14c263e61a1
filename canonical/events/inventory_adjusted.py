"""``retail.inventory.adjusted``: the on-hand quantity of one SKU at one location changed.

Either as a signed delta (``quantity_change``: +receipt, −sale) or as a physical count
(``counted_quantity``, the new on-hand figure), never both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import model_validator

from canonical.events.base import EventData
from canonical.gtin import Gtin
from canonical.identifiers import ActorRef, DocumentRef, LocationId, Sku
from canonical.quantity import Quantity
from canonical.timestamps import UtcDatetime


class AdjustmentReason(StrEnum):
    """Why the on-hand quantity changed."""

    RECEIPT = "receipt"
    SALE = "sale"
    RETURN = "return"
    SHRINK = "shrink"
    DAMAGE = "damage"
    CYCLE_COUNT = "cycle_count"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    CORRECTION = "correction"


class InventoryAdjustedV1(EventData):
    """Stock of one SKU at one location changed, by a signed delta or by a count."""

    event_type: ClassVar[str] = "retail.inventory.adjusted"
    event_version: ClassVar[int] = 1

    location_id: LocationId
    """Store or warehouse whose stock changed."""
    sku: Sku
    gtin: Gtin | None = None
    quantity_change: Quantity | None = None
    """Signed change to on-hand: positive adds stock, negative removes it."""
    counted_quantity: Quantity | None = None
    """On-hand quantity found by a physical count; replaces the book figure."""
    expected_on_hand: Quantity | None = None
    """Book (system) on-hand quantity before this adjustment, when the source knows it."""
    reason: AdjustmentReason
    reference_document: DocumentRef | None = None
    """Receipt, transfer, sale or count document that caused the change."""
    occurred_at: UtcDatetime
    counted_by: ActorRef | None = None
    """Employee or device that did the count."""

    @model_validator(mode="after")
    def _check_quantities(self) -> Self:
        if (self.quantity_change is None) == (self.counted_quantity is None):
            raise ValueError("exactly one of quantity_change or counted_quantity must be given")
        if self.reason is AdjustmentReason.CYCLE_COUNT and self.counted_quantity is None:
            raise ValueError("reason cycle_count requires counted_quantity")
        counted, expected = self.counted_quantity, self.expected_on_hand
        if counted is not None:
            if counted.value < 0:
                raise ValueError(f"counted_quantity {counted.value} is negative")
            # A variance across units (KGM vs C62) would be a meaningless number.
            if expected is not None and expected.unit != counted.unit:
                raise ValueError(
                    f"counted_quantity unit {counted.unit} differs from "
                    f"expected_on_hand unit {expected.unit}"
                )
        return self

    @property
    def variance(self) -> Quantity | None:
        """Counted minus expected on-hand (negative = shortfall), or None if either is missing."""
        counted, expected = self.counted_quantity, self.expected_on_hand
        if counted is None or expected is None:
            return None
        # Both sides are validated already and share a unit, so skip re-validation.
        return Quantity.model_construct(value=counted.value - expected.value, unit=counted.unit)
