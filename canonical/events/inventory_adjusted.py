"""``retail.inventory.adjusted``: the on-hand quantity of one SKU at one location changed.

Either as a signed delta (``quantity_change``: +receipt, −sale) or as a physical count
(``counted_quantity``, the new on-hand figure), never both.

Version 2 adds traceability (lot, expiry, serial numbers) and requires the unit on every
quantity. v1 already carried any Rec 20 unit per quantity; it only *defaulted* an omitted unit to
``C62``, and that default is what v2 drops. So both casts are total: the upcast writes the
default out, and v1 can represent every v2 unit, so the downcast refuses nothing and loses only
``lot_number``, ``serial_numbers`` and ``expiry_date``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import model_validator

from canonical.casting import CastStep
from canonical.events.base import EventData
from canonical.gtin import Gtin
from canonical.identifiers import ActorRef, DocumentRef, LocationId, LotNumber, SerialNumber, Sku
from canonical.quantity import ExplicitQuantity, Quantity
from canonical.timestamps import UtcDatetime

_TYPE = "retail.inventory.adjusted"
_EACH = "C62"
_QUANTITY_FIELDS = ("quantity_change", "counted_quantity", "expected_on_hand")
_V2_ONLY_FIELDS = ("lot_number", "serial_numbers", "expiry_date")


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

    event_type: ClassVar[str] = _TYPE
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
        _check_quantity_rules(
            self.reason, self.quantity_change, self.counted_quantity, self.expected_on_hand
        )
        return self

    @property
    def variance(self) -> Quantity | None:
        """Counted minus expected on-hand (negative = shortfall), or None if either is missing."""
        return _variance(self.counted_quantity, self.expected_on_hand)


class InventoryAdjustedV2(EventData):
    """Stock of one SKU (optionally one lot, or named serials) at one location changed."""

    event_type: ClassVar[str] = _TYPE
    event_version: ClassVar[int] = 2

    location_id: LocationId
    """Store or warehouse whose stock changed."""
    sku: Sku
    gtin: Gtin | None = None
    quantity_change: ExplicitQuantity | None = None
    """Signed change to on-hand: positive adds stock, negative removes it; unit required."""
    counted_quantity: ExplicitQuantity | None = None
    """On-hand quantity found by a physical count; replaces the book figure; unit required."""
    expected_on_hand: ExplicitQuantity | None = None
    """Book (system) on-hand quantity before this adjustment, when the source knows it."""
    lot_number: LotNumber | None = None
    """Lot or batch the stock belongs to: recalls and first-expiry-first-out picking need it."""
    serial_numbers: tuple[SerialNumber, ...] = ()
    """Serials of the items moved or counted, one per unit; only for counts in C62."""
    expiry_date: date | None = None
    """Best-before or use-by date of the lot, for expiry write-offs and FEFO."""
    reason: AdjustmentReason
    reference_document: DocumentRef | None = None
    """Receipt, transfer, sale or count document that caused the change."""
    occurred_at: UtcDatetime
    counted_by: ActorRef | None = None
    """Employee or device that did the count."""

    @model_validator(mode="after")
    def _check_quantities(self) -> Self:
        _check_quantity_rules(
            self.reason, self.quantity_change, self.counted_quantity, self.expected_on_hand
        )
        if self.serial_numbers:
            self._check_serials()
        return self

    def _check_serials(self) -> None:
        repeated = sorted(s for s, count in Counter(self.serial_numbers).items() if count > 1)
        if repeated:
            raise ValueError("serial_numbers must be unique; repeated: " + ", ".join(repeated))
        # Serials name whole items, so the quantity they belong to must count items and match
        # the list one for one.
        if self.quantity_change is not None:
            name, quantity = "quantity_change", self.quantity_change
        elif self.counted_quantity is not None:
            name, quantity = "counted_quantity", self.counted_quantity
        else:  # pragma: no cover - _check_quantity_rules has already required one of them
            return
        if quantity.unit != _EACH or abs(quantity.value) != len(self.serial_numbers):
            raise ValueError(
                f"{len(self.serial_numbers)} serial_numbers need {name} of "
                f"{len(self.serial_numbers)} C62 (sign aside), got {quantity.value} {quantity.unit}"
            )

    @property
    def variance(self) -> Quantity | None:
        """Counted minus expected on-hand (negative = shortfall), or None if either is missing."""
        return _variance(self.counted_quantity, self.expected_on_hand)


#: looked up once: an enum member read through its class is a descriptor call, on every event
_CYCLE_COUNT = AdjustmentReason.CYCLE_COUNT


def _check_quantity_rules(
    reason: AdjustmentReason,
    change: Quantity | None,
    counted: Quantity | None,
    expected: Quantity | None,
) -> None:
    """Raise ``ValueError`` for the quantity rules every version shares."""
    if (change is None) == (counted is None):
        raise ValueError("exactly one of quantity_change or counted_quantity must be given")
    if reason is _CYCLE_COUNT and counted is None:
        raise ValueError("reason cycle_count requires counted_quantity")
    if counted is not None:
        if counted.value < 0:
            raise ValueError(f"counted_quantity {counted.value} is negative")
        # A variance across units (KGM vs C62) would be a meaningless number.
        if expected is not None and expected.unit != counted.unit:
            raise ValueError(
                f"counted_quantity unit {counted.unit} differs from "
                f"expected_on_hand unit {expected.unit}"
            )


def _variance(counted: Quantity | None, expected: Quantity | None) -> Quantity | None:
    if counted is None or expected is None:
        return None
    # Both sides are validated already and share a unit, so skip re-validation.
    return Quantity.model_construct(value=counted.value - expected.value, unit=counted.unit)


def inventory_adjusted_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Upcast: write out v1's implicit ``C62`` units; no lot, serials or expiry are known."""
    v2 = dict(data)
    for name in _QUANTITY_FIELDS:
        quantity = data.get(name)
        if quantity is not None and "unit" not in quantity:
            # A new dict: the caller's nested quantity must stay as it was.
            v2[name] = quantity | {"unit": _EACH}
    return v2 | {"lot_number": None, "serial_numbers": [], "expiry_date": None}


def inventory_adjusted_v2_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Downcast: drop lot, serials and expiry; v1 carries every v2 unit, so nothing is refused."""
    return {name: value for name, value in data.items() if name not in _V2_ONLY_FIELDS}


INVENTORY_ADJUSTED_CASTS = (
    CastStep(_TYPE, 1, 2, inventory_adjusted_v1_to_v2),
    CastStep(_TYPE, 2, 1, inventory_adjusted_v2_to_v1, lossy_fields=_V2_ONLY_FIELDS),
)
"""The casts between the versions of ``retail.inventory.adjusted``."""
