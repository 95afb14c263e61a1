"""The Shopify connector passes the SDK's conformance kit, offline, on recorded answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.rest import sign_shopify
from connectors.sdk import WebhookRequest
from connectors.sdk.testing import (
    ReplayTransport,
    Scenario,
    SourceConformance,
    WebhookConformance,
)
from connectors.shopify import ShopifyConfig, ShopifySource
from tests.corpus import corpus_file

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


class TestShopifyWebhookConformance(WebhookConformance):
    def make_webhook_source(self) -> ShopifySource:
        return ShopifySource(ShopifyConfig.model_validate(CONFIG))

    def signed_request(self) -> WebhookRequest:
        body = json.dumps(
            json.loads(corpus_file("shopify/shopify_python_api_refund.json").read_text())["refund"]
        ).encode()
        now = datetime.now(UTC)
        return WebhookRequest(
            body=body,
            headers={
                "x-shopify-topic": "refunds/create",
                "x-shopify-hmac-sha256": sign_shopify(CONFIG["webhook_secret"], body),
                "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                "x-shopify-triggered-at": now.isoformat(),
            },
            received_at=now,
        )
