"""Canonical event payloads, one module per event type; each class is one version."""

from canonical.casting import CastStep
from canonical.events.base import EventData
from canonical.events.inventory_adjusted import (
    INVENTORY_ADJUSTED_CASTS,
    AdjustmentReason,
    InventoryAdjustedV1,
    InventoryAdjustedV2,
)
from canonical.events.invoice_matched import (
    InvoiceMatchedV1,
    InvoiceMatchLine,
    InvoiceTotals,
    MatchStatus,
    MatchType,
    Tolerance,
)
from canonical.events.order_created import (
    ORDER_CREATED_CASTS,
    Discount,
    Fulfillment,
    FulfillmentMethod,
    FulfillmentV2,
    OrderCreatedV1,
    OrderCreatedV2,
    OrderCreatedV3,
    OrderLine,
    OrderLineV3,
    OrderTotals,
    OrderTotalsV3,
    TaxLine,
)
from canonical.events.return_authorized import (
    Disposition,
    ItemCondition,
    Refund,
    RefundMethod,
    ReturnAuthorizedV1,
    ReturnLine,
)

BUILTIN_EVENT_MODELS: tuple[type[EventData], ...] = (
    OrderCreatedV1,
    OrderCreatedV2,
    OrderCreatedV3,
    InventoryAdjustedV1,
    InventoryAdjustedV2,
    ReturnAuthorizedV1,
    InvoiceMatchedV1,
)
"""Every event model shipped with Crossdock; the default registry loads exactly these."""

BUILTIN_CASTS: tuple[CastStep, ...] = (*ORDER_CREATED_CASTS, *INVENTORY_ADJUSTED_CASTS)
"""Every caster between built-in event versions; the default registry loads exactly these."""

__all__ = [
    "BUILTIN_CASTS",
    "BUILTIN_EVENT_MODELS",
    "AdjustmentReason",
    "Discount",
    "Disposition",
    "EventData",
    "Fulfillment",
    "FulfillmentMethod",
    "FulfillmentV2",
    "InventoryAdjustedV1",
    "InventoryAdjustedV2",
    "InvoiceMatchLine",
    "InvoiceMatchedV1",
    "InvoiceTotals",
    "ItemCondition",
    "MatchStatus",
    "MatchType",
    "OrderCreatedV1",
    "OrderCreatedV2",
    "OrderCreatedV3",
    "OrderLine",
    "OrderLineV3",
    "OrderTotals",
    "OrderTotalsV3",
    "Refund",
    "RefundMethod",
    "ReturnAuthorizedV1",
    "ReturnLine",
    "TaxLine",
    "Tolerance",
]
