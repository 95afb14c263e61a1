"""The Shopify connector passes the SDK's conformance kit, offline, on recorded answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.sdk.testing import ReplayTransport, Scenario, SourceConformance
from connectors.shopify import ShopifyConfig, ShopifySource

RECORDINGS = Path(__file__).parent / "recordings"

CONFIG: dict[str, Any] = {
    "shop": "acme.myshopify.com",
    "access_token": "shpat_test_token_0001",
    "webhook_secret": "whsec-test-secret",
    "page_size": 2,
}


class TestShopifyConformance(SourceConformance):
    connector = ShopifySource
    malformed_location = "orders.json"

    def make_source(self, scenario: Scenario) -> ShopifySource:
        return ShopifySource(
            ShopifyConfig.model_validate(CONFIG),
            transport=ReplayTransport.from_file(RECORDINGS / f"{scenario.value}.json"),
            sleep=lambda _s: None,
        )
