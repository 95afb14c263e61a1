"""The REST source and the REST sink pass the SDK's conformance kit, offline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from connectors.rest import (
    RestSink,
    RestSinkConfig,
    RestSource,
    RestSourceConfig,
    sign_standard,
)
from connectors.sdk import Event, WebhookRequest
from connectors.sdk.testing import (
    ReplayTransport,
    Scenario,
    ScriptedTransport,
    SinkConformance,
    SourceConformance,
    WebhookConformance,
)

HERE = Path(__file__).parent
SOURCE_CONFIG: dict[str, Any] = {
    "base_url": "https://partner.example.test",
    "auth": {"type": "bearer", "token": "partner-token-1"},
    "specs_dir": str(HERE / "specs"),
    "streams": [
        {
            "name": "stock",
            "path": "/stock",
            "records_path": "items",
            "pagination": {"style": "link", "page_size": 2},
            "mapping": "json.partner-stock",
            "cursor_field": "id",
            "since_param": "since_id",
        }
    ],
}


WEBHOOK_SECRET = "whsec_" + "dGVzdC1rZXktZm9yLWNvbmZvcm1hbmNl"


class TestRestWebhookConformance(WebhookConformance):
    def make_webhook_source(self) -> RestSource:
        config = {
            **SOURCE_CONFIG,
            "webhook": {"scheme": "standard", "secret": WEBHOOK_SECRET, "stream": "stock"},
        }
        return RestSource(RestSourceConfig.model_validate(config))

    def signed_request(self) -> WebhookRequest:
        body = (
            b'{"id": 9, "store": "S002", "sku": "SKU-9", "qty": "4", "at": "2026-11-23T09:00:00Z"}'
        )
        now = datetime.now(UTC)
        stamp = int(now.timestamp())
        return WebhookRequest(
            body=body,
            headers={
                "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign_standard(
                    WEBHOOK_SECRET, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", stamp, body
                ),
            },
            received_at=now,
        )


class TestRestSourceConformance(SourceConformance):
    connector = RestSource
    malformed_location = "/stock"

    def make_source(self, scenario: Scenario) -> RestSource:
        return RestSource(
            RestSourceConfig.model_validate(SOURCE_CONFIG),
            transport=ReplayTransport.from_file(HERE / "recordings" / f"{scenario.value}.json"),
            sleep=lambda _s: None,
        )


SINK_CONFIG: dict[str, Any] = {
    "base_url": "https://erp.example.test",
    "auth": {"type": "basic", "username": "hub", "password": "erp-password-1"},
    "path": "/events",
}


def _answers(scenario: Scenario, n: int) -> list[Any]:
    ok = httpx.Response(201, json={"ok": True})
    if scenario is Scenario.BAD_CREDENTIALS:
        return [httpx.Response(403)]
    if scenario is Scenario.MALFORMED:
        return [httpx.Response(422, json={"error": "unknown store"})] + [ok] * (n - 1)
    if scenario is Scenario.TRANSIENT:
        return [ok, httpx.ConnectError("connection reset"), ok] + [ok] * (n - 1)
    if scenario is Scenario.PERMANENT:
        return [httpx.Response(403, json={"error": "not allowed"})] * n
    return [ok] * (n + 1)


class TestRestSinkConformance(SinkConformance):
    connector = RestSink

    def events(self) -> Sequence[Event]:
        return [
            {
                "specversion": "1.0",
                "id": f"evt-{n}",
                "source": "crossdock://test",
                "type": "retail.inventory.adjusted",
                "dataversion": 1,
                "time": "2026-11-23T08:00:00Z",
                "data": {"sku": f"SKU-{n}"},
            }
            for n in range(3)
        ]

    def make_sink(self, scenario: Scenario) -> RestSink:
        return RestSink(
            RestSinkConfig.model_validate(SINK_CONFIG),
            transport=ScriptedTransport(_answers(scenario, len(self.events()))),
            sleep=lambda _s: None,
        )
