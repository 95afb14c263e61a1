"""The Shopify connector (entry point ``shopify``), built on the connector SDK."""

from typing import Any

from connectors.shopify import mapping as _mapping
from connectors.shopify.connector import ShopifyConfig, ShopifySource
from connectors.shopify.mapping import TOPICS, mapping_ref, spec_for, to_canonical

__all__ = [
    "TOPICS",
    "ShopifyConfig",
    "ShopifySource",
    "mapping_ref",
    "spec_for",
    "to_canonical",
]


def __getattr__(name: str) -> Any:
    """``MAPPING_REF`` still resolves, deprecated (see :mod:`connectors.shopify.mapping`)."""
    if name == "MAPPING_REF":
        return _mapping.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
