"""The Shopify connector (entry point ``shopify``), built on the connector SDK."""

from connectors.shopify.connector import ShopifyConfig, ShopifySource
from connectors.shopify.mapping import MAPPING_REF, TOPICS, mapping_ref, spec_for, to_canonical

__all__ = [
    "MAPPING_REF",
    "TOPICS",
    "ShopifyConfig",
    "ShopifySource",
    "mapping_ref",
    "spec_for",
    "to_canonical",
]
