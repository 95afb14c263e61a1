"""Canonical event payloads, one module per event type; each class is one version."""

from canonical.events.base import EventData
from canonical.events.inventory_adjusted import AdjustmentReason, InventoryAdjustedV1
from canonical.events.invoice_matched import (
    InvoiceMatchedV1,
    InvoiceMatchLine,
    InvoiceTotals,
    MatchStatus,
    MatchType,
    Tolerance,
)
from canonical.events.order_created import (
    Discount,
    Fulfillment,
    FulfillmentMethod,
    OrderCreatedV1,
    OrderLine,
    OrderTotals,
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
    InventoryAdjustedV1,
    ReturnAuthorizedV1,
    InvoiceMatchedV1,
)
"""Every event model shipped with Crossdock; the default registry loads exactly these."""

__all__ = [
    "BUILTIN_EVENT_MODELS",
    "AdjustmentReason",
    "Discount",
    "Disposition",
    "EventData",
    "Fulfillment",
    "FulfillmentMethod",
    "InventoryAdjustedV1",
    "InvoiceMatchLine",
    "InvoiceMatchedV1",
    "InvoiceTotals",
    "ItemCondition",
    "MatchStatus",
    "MatchType",
    "OrderCreatedV1",
    "OrderLine",
    "OrderTotals",
    "Refund",
    "RefundMethod",
    "ReturnAuthorizedV1",
    "ReturnLine",
    "TaxLine",
    "Tolerance",
]
