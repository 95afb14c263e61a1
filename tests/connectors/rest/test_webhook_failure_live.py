"""Webhook ingress when the bus fails: 503 with Retry-After, and the peer's re-send is taken."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from canonical import Envelope
from connectors.rest import sign_shopify
from hub.api.webhooks import webhook_router
from hub.bus import EventConsumer, event_queue
from hub.bus.publisher import ConfirmedPublisher
from hub.config import Settings
from hub.connector_bus import HubEventBus
from hub.database import connect
from hub.errors import BrokerUnavailable
from tests.connectors.rest.server import serve
from tests.corpus import corpus_file


class FlakyBus(HubEventBus):
    """The real bus, except that the first publish finds the broker gone."""

    failures = 1

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        if self.failures:
            self.failures -= 1
            raise BrokerUnavailable("broker went away (scripted)")
        super().publish(events)


def test_a_failed_publish_answers_503_and_the_resent_delivery_is_taken_once(
    tmp_path: Path,
) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "connector_instances": [
                {
                    "name": "acme",
                    "connector": "shopify",
                    "config": {
                        "shop": "acme.myshopify.com",
                        "access_token": "unused",
                        "webhook_secret": "s3cret",
                    },
                }
            ],
        }
    )
    engine = connect(settings.resolved_database_url)  # migrated: the ledger's table
    consumer = EventConsumer(settings.resolved_bus_url, event_queue("flaky", ["retail.#"]))
    consumer.declare()
    bus = FlakyBus(ConfirmedPublisher(settings.resolved_bus_url), engine)
    api = FastAPI()
    api.include_router(webhook_router(settings, engine, bus=bus))
    body = json.dumps(
        json.loads(corpus_file("shopify/shopify_python_api_order.json").read_text())["order"]
    ).encode()
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign_shopify("s3cret", body),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }
    with serve(api) as url:
        first = httpx.post(f"{url}/webhooks/acme", content=body, headers=headers, timeout=30)
        again = httpx.post(f"{url}/webhooks/acme", content=body, headers=headers, timeout=30)
        third = httpx.post(f"{url}/webhooks/acme", content=body, headers=headers, timeout=30)
    assert first.status_code == 503
    assert first.headers["retry-after"] == "5"
    assert again.status_code == 202
    assert third.status_code == 200
    got: list[dict[str, Any]] = []
    consumer.drain(got.extend, idle_timeout=0.3, max_seconds=10)
    assert [e["type"] for e in got] == ["retail.order.created"]
    bus.close()
    engine.dispose()
