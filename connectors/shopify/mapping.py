"""Shopify JSON → canonical event data: the ONE function the connector maps through.

:func:`to_canonical` is the seam: the spec in ``mappings/specs/shopify/`` whose source is the
topic (``source: {format: shopify, message: <topic>}``) maps it, the same spec ``crossdock
translate`` and the hub's document path use for a Shopify file, so a webhook delivery and the
same body in a file give the same event. A topic no spec reads is refused by name.
:func:`mapping_ref` names the spec that mapped (it is part of event ids).

Earlier releases mapped the three webhook topics in code here until specs existed; that code
went when the specs covered every topic (one mapping per topic). ``MAPPING_REF``, its identity,
still resolves, with a ``DeprecationWarning``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from canonical import EventData, event_model
from connectors.errors import RecordError
from mappings import SPECS_DIR, CompiledMapping, SpecRegistry

__all__ = ["SHOPIFY_SPECS", "TOPICS", "mapping_ref", "spec_for", "to_canonical"]

#: where the Shopify mapping specs live
SHOPIFY_SPECS = SPECS_DIR / "shopify"

#: the webhook topics the connector subscribes to → the canonical event type their spec gives
TOPICS = {
    "orders/create": "retail.order.created",
    "refunds/create": "retail.return.authorized",
    "inventory_levels/update": "retail.inventory.adjusted",
}

_OLD_MAPPING_REF = "shopify.code@1"


def __getattr__(name: str) -> Any:
    """``MAPPING_REF``, the retired code mapping's identity, with a deprecation warning."""
    if name == "MAPPING_REF":
        warnings.warn(
            "connectors.shopify.mapping.MAPPING_REF is deprecated: every topic is mapped by its "
            "spec now; use mapping_ref(topic)",
            DeprecationWarning,
            stacklevel=2,
        )
        return _OLD_MAPPING_REF
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _specs(folder: Path) -> dict[str, CompiledMapping]:
    if not folder.is_dir():
        return {}
    registry = SpecRegistry.from_directory(folder)
    return {m.source_message: m for m in registry.for_source("shopify") if m.source_message}


def spec_for(topic: str) -> CompiledMapping | None:
    """The mapping spec of ``topic`` in :data:`SHOPIFY_SPECS`, if there is one."""
    return _specs(SHOPIFY_SPECS).get(topic)


def mapping_ref(topic: str) -> str:
    """``id@version`` of the spec that maps ``topic``; ``KeyError`` when none does."""
    spec = spec_for(topic)
    if spec is None:
        raise KeyError(f"no spec in {SHOPIFY_SPECS} maps the Shopify topic {topic!r}")
    return spec.ref


def to_canonical(topic: str, payload: Mapping[str, Any], *, location: str) -> EventData:
    """The canonical event data of one Shopify payload of ``topic``, by the topic's spec.

    Raises :class:`RecordError` naming ``location`` for a topic no spec maps; the spec's
    ``MappingError`` or pydantic's ``ValidationError`` name the field of a payload that lacks
    what the event needs. All are dead-lettered with the delivery's bytes.
    """
    spec = spec_for(topic)
    if spec is None:
        mapped = ", ".join(sorted(_specs(SHOPIFY_SPECS))) or "none"
        raise RecordError(
            location, f"unsupported Shopify topic {topic!r}: no spec maps it (mapped: {mapped})"
        )
    return event_model(spec.target_type, spec.target_version).model_validate(spec(payload))
