"""Crossdock's canonical retail vocabulary: value types, the CloudEvents envelope, the events.

Depends on pydantic only. Everything listed in ``__all__`` is public and versioned with care:
renames go through a deprecation shim, never a hard break.
"""

from canonical.address import Address, PostalAddress
from canonical.casting import Caster, CastStep
from canonical.channel import Channel
from canonical.envelope import (
    BATCH_CONTENT_TYPE,
    STRUCTURED_CONTENT_TYPE,
    Envelope,
    dataschema_uri,
    dump_batch,
    routing_key,
    wrap_event,
)
from canonical.errors import (
    CanonicalError,
    CrossdockError,
    DuplicateRegistration,
    InvalidCaster,
    InvalidEventIdParts,
    InvalidEventTarget,
    NoCastPath,
    NotRepresentable,
    UnknownEventType,
    UnknownEventVersion,
)
from canonical.event_id import EVENT_ID_NAMESPACE, EventIdSeries, make_event_id
from canonical.events import (
    AdjustmentReason,
    EventData,
    InventoryAdjustedV1,
    InventoryAdjustedV2,
    InvoiceMatchedV1,
    OrderCreatedV1,
    OrderCreatedV2,
    OrderCreatedV3,
    ReturnAuthorizedV1,
)
from canonical.gtin import Gtin, check_gtin, gtin14, gtin_check_digit
from canonical.identifiers import (
    ActorRef,
    CountryCode,
    CustomerRef,
    DocumentRef,
    LocationId,
    LotNumber,
    SerialNumber,
    Sku,
    SupplierId,
)
from canonical.money import CurrencyCode, Money
from canonical.product_id import ProductId, ProductIdScheme
from canonical.quantity import ExplicitQuantity, Quantity, UnitCode
from canonical.registry import (
    EventRegistry,
    convert,
    default_registry,
    event_model,
    event_types,
    latest_version,
    parse_envelope,
    parse_target,
    read_envelope,
    read_event,
    register_caster,
    versions,
)
from canonical.schema_export import check_schemas, export_schemas
from canonical.timestamps import UtcDatetime

__all__ = [
    "BATCH_CONTENT_TYPE",
    "EVENT_ID_NAMESPACE",
    "STRUCTURED_CONTENT_TYPE",
    "ActorRef",
    "Address",
    "AdjustmentReason",
    "CanonicalError",
    "CastStep",
    "Caster",
    "Channel",
    "CountryCode",
    "CrossdockError",
    "CurrencyCode",
    "CustomerRef",
    "DocumentRef",
    "DuplicateRegistration",
    "Envelope",
    "EventData",
    "EventIdSeries",
    "EventRegistry",
    "ExplicitQuantity",
    "Gtin",
    "InvalidCaster",
    "InvalidEventIdParts",
    "InvalidEventTarget",
    "InventoryAdjustedV1",
    "InventoryAdjustedV2",
    "InvoiceMatchedV1",
    "LocationId",
    "LotNumber",
    "Money",
    "NoCastPath",
    "NotRepresentable",
    "OrderCreatedV1",
    "OrderCreatedV2",
    "OrderCreatedV3",
    "PostalAddress",
    "ProductId",
    "ProductIdScheme",
    "Quantity",
    "ReturnAuthorizedV1",
    "SerialNumber",
    "Sku",
    "SupplierId",
    "UnitCode",
    "UnknownEventType",
    "UnknownEventVersion",
    "UtcDatetime",
    "check_gtin",
    "check_schemas",
    "convert",
    "dataschema_uri",
    "default_registry",
    "dump_batch",
    "event_model",
    "event_types",
    "export_schemas",
    "gtin14",
    "gtin_check_digit",
    "latest_version",
    "make_event_id",
    "parse_envelope",
    "parse_target",
    "read_envelope",
    "read_event",
    "register_caster",
    "routing_key",
    "versions",
    "wrap_event",
]
