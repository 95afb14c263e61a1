"""Shopify webhook JSON: orders/create, refunds/create and inventory_levels/update bodies."""

from connectors.formats.shopify.reader import TOPICS, ShopifyFormat, topic_of

__all__ = ["TOPICS", "ShopifyFormat", "topic_of"]
