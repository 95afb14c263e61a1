"""Webhook ingress end to end: uvicorn on 127.0.0.1, the hub's app, the embedded SQLite bus."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.rest import sign_shopify, sign_standard
from hub.api import create_app
from hub.bus import EventConsumer, event_queue
from hub.bus.topology import events_exchange
from hub.config import Settings
from hub.database import connect
from hub.deadletter import DeadLetterService
from tests.connectors.rest.server import serve
from tests.corpus import corpus_file

SPECS = Path(__file__).parent / "specs"
SHOP_SECRET = "shopify-app-secret"
PARTNER_SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHM="  # base64 of a test key


@dataclass
class Hub:
    url: str
    settings: Settings
    consumer: EventConsumer

    def drain(self) -> list[dict[str, Any]]:
        """Events published since the last drain."""
        got: list[dict[str, Any]] = []
        self.consumer.drain(got.extend, idle_timeout=0.3, max_seconds=10)
        return got

    def dead_letters(self) -> list[Any]:
        engine = connect(self.settings.resolved_database_url, create=False)
        try:
            return list(DeadLetterService(engine).list(limit=1000))
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    data = tmp_path_factory.mktemp("hub")
    settings = Settings.model_validate(
        {
            "data_dir": data,
            "connector_instances": [
                {
                    "name": "acme",
                    "connector": "shopify",
                    "config": {
                        "shop": "acme.myshopify.com",
                        "access_token": "shpat_unused",
                        "webhook_secret": SHOP_SECRET,
                    },
                },
                {"name": "broken", "connector": "shopify", "config": {"shop": "not a shop"}},
                {
                    "name": "partner",
                    "connector": "rest",
                    "config": {
                        "base_url": "http://127.0.0.1:9/",
                        "specs_dir": str(SPECS),
                        "streams": [
                            {"name": "stock", "path": "/stock", "mapping": "json.partner-stock"}
                        ],
                        "webhook": {
                            "scheme": "standard",
                            "secret": PARTNER_SECRET,
                            "stream": "stock",
                        },
                    },
                },
            ],
        }
    )
    queue = event_queue(
        f"ingress-{uuid.uuid4().hex[:8]}", ["retail.#"], events_exchange(settings.exchange)
    )
    consumer = EventConsumer(settings.resolved_bus_url, queue)
    data.mkdir(exist_ok=True)
    consumer.declare()
    with serve(create_app(settings)) as url:
        yield Hub(url, settings, consumer)


def _fixture(name: str, key: str) -> bytes:
    return json.dumps(json.loads(corpus_file(f"shopify/{name}").read_text())[key]).encode()


def _shopify_headers(
    body: bytes, topic: str, delivery: str, secret: str = SHOP_SECRET
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign_shopify(secret, body),
        "X-Shopify-Shop-Domain": "acme.myshopify.com",
        "X-Shopify-Webhook-Id": delivery,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def _post(hub: Hub, instance: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{hub.url}/webhooks/{instance}", content=body, headers=headers, timeout=30)


def test_a_bad_shopify_signature_is_refused_with_401_and_publishes_nothing(hub: Hub) -> None:
    body = _fixture("shopify_python_api_order.json", "order")
    headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()), secret="not-the-secret")
    answer = _post(hub, "acme", body, headers)
    assert answer.status_code == 401
    assert hub.drain() == []


def test_a_body_changed_after_signing_is_refused(hub: Hub) -> None:
    body = _fixture("shopify_python_api_order.json", "order")
    headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()))
    answer = _post(hub, "acme", body.replace(b"IPod", b"iPad"), headers)
    assert answer.status_code == 401
    assert hub.drain() == []


def test_a_delivery_outside_the_replay_window_is_refused(hub: Hub) -> None:
    body = _fixture("shopify_python_api_order.json", "order")
    headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()))
    headers["X-Shopify-Triggered-At"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert _post(hub, "acme", body, headers).status_code == 401
    assert hub.drain() == []


@pytest.mark.parametrize(
    ("fixture", "key", "topic", "event_type"),
    [
        ("shopify_python_api_order.json", "order", "orders/create", "retail.order.created"),
        ("shopify_python_api_refund.json", "refund", "refunds/create", "retail.return.authorized"),
        (
            "shopify_python_api_inventory_level.json",
            "inventory_level",
            "inventory_levels/update",
            "retail.inventory.adjusted",
        ),
    ],
)
def test_each_shopify_topic_becomes_its_canonical_event_on_the_bus(
    hub: Hub, fixture: str, key: str, topic: str, event_type: str
) -> None:
    body = _fixture(fixture, key)
    answer = _post(hub, "acme", body, _shopify_headers(body, topic, str(uuid.uuid4())))
    assert answer.status_code == 202, answer.text
    events = hub.drain()
    assert [e["type"] for e in events] == [event_type]
    assert answer.json()["events"] == [events[0]["id"]]


def test_a_duplicate_delivery_publishes_one_event(hub: Hub) -> None:
    body = _fixture("shopify_python_api_order.json", "order")
    delivery = str(uuid.uuid4())
    first = _post(hub, "acme", body, _shopify_headers(body, "orders/create", delivery))
    again = _post(hub, "acme", body, _shopify_headers(body, "orders/create", delivery))
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert len(hub.drain()) == 1


def _unique_order() -> bytes:
    """The corpus order with a note of its own, so no other test sent this body."""
    order = json.loads(_fixture("shopify_python_api_order.json", "order"))
    return json.dumps(order | {"note": f"test {uuid.uuid4()}"}).encode()


def test_a_resend_under_a_new_webhook_id_with_the_same_event_id_is_a_duplicate(hub: Hub) -> None:
    body = _unique_order()
    event_id = str(uuid.uuid4())
    sent = []
    for _ in range(2):
        headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()))
        headers["X-Shopify-Event-Id"] = event_id
        sent.append(_post(hub, "acme", body, headers))
    assert [a.status_code for a in sent] == [202, 200]
    assert sent[1].json()["status"] == "duplicate"
    assert len(hub.drain()) == 1


def test_without_a_timestamp_the_same_body_under_a_new_webhook_id_is_a_duplicate(
    hub: Hub,
) -> None:
    body = _unique_order()
    answers = []
    for _ in range(3):
        headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()))
        del headers["X-Shopify-Triggered-At"]
        answers.append(_post(hub, "acme", body, headers).status_code)
    assert answers == [202, 200, 200]
    assert len(hub.drain()) == 1
    # a changed body is a new delivery, even without a timestamp
    other = _unique_order()
    headers = _shopify_headers(other, "orders/create", str(uuid.uuid4()))
    del headers["X-Shopify-Triggered-At"]
    assert _post(hub, "acme", other, headers).status_code == 202
    assert len(hub.drain()) == 1


def test_a_signed_but_malformed_delivery_is_a_dead_letter_naming_it(hub: Hub) -> None:
    body = b'{"id": 7, "line_items": [}'
    delivery = str(uuid.uuid4())
    answer = _post(hub, "acme", body, _shopify_headers(body, "orders/create", delivery))
    assert answer.status_code == 202
    assert answer.json()["dead_letters"] == 1
    assert hub.drain() == []
    letters = [d for d in hub.dead_letters() if delivery in d.location]
    assert len(letters) == 1
    assert letters[0].payload == body
    assert "orders/create" in letters[0].location


def test_an_oversized_delivery_is_refused_unread(hub: Hub) -> None:
    body = b"{" + b" " * (9 << 20) + b"}"
    answer = _post(hub, "acme", body, {"X-Shopify-Topic": "orders/create"})
    assert answer.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: read up to the limit only
        for _ in range(10):
            yield b" " * (1 << 20)

    chunked = httpx.post(f"{hub.url}/webhooks/acme", content=chunks(), timeout=30)
    assert chunked.status_code == 413
    assert hub.drain() == []


def test_a_misconfigured_instance_answers_503_so_the_peer_sends_again(hub: Hub) -> None:
    answer = _post(hub, "broken", b"{}", {"X-Shopify-Topic": "orders/create"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"


def test_an_unknown_instance_is_404(hub: Hub) -> None:
    assert _post(hub, "nobody", b"{}", {}).status_code == 404


def _standard_headers(body: bytes, delivery: str, at: int | None = None) -> dict[str, str]:
    stamp = at if at is not None else int(time.time())
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign_standard(PARTNER_SECRET, delivery, stamp, body),
    }


def test_the_generic_hmac_scheme_accepts_a_signed_delivery_and_maps_it(hub: Hub) -> None:
    body = json.dumps(
        {"id": 1, "store": "S001", "sku": "SKU-1", "qty": "3", "at": "2026-11-23T08:00:00Z"}
    ).encode()
    answer = _post(hub, "partner", body, _standard_headers(body, f"msg_{uuid.uuid4().hex}"))
    assert answer.status_code == 202, answer.text
    events = hub.drain()
    assert [e["type"] for e in events] == ["retail.inventory.adjusted"]
    assert events[0]["data"]["counted_quantity"]["value"] == "3"


def test_the_generic_scheme_refuses_an_old_timestamp_even_when_signed(hub: Hub) -> None:
    body = b'{"id": 2}'
    old = int(time.time()) - 3600
    answer = _post(hub, "partner", body, _standard_headers(body, "msg_old", at=old))
    assert answer.status_code == 401
    assert hub.drain() == []


def test_the_generic_scheme_refuses_a_wrong_signature(hub: Hub) -> None:
    body = b'{"id": 3}'
    headers = _standard_headers(body, "msg_wrong")
    headers["webhook-signature"] = "v1," + "A" * 44
    assert _post(hub, "partner", body, headers).status_code == 401
    assert hub.drain() == []


def test_concurrent_copies_of_one_delivery_publish_one_event(hub: Hub) -> None:
    body = _fixture("shopify_python_api_order.json", "order")
    headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()))

    async def send_all() -> list[int]:
        async with httpx.AsyncClient(timeout=30) as client:
            answers = await asyncio.gather(
                *(
                    client.post(f"{hub.url}/webhooks/acme", content=body, headers=headers)
                    for _ in range(12)
                )
            )
        return sorted(a.status_code for a in answers)

    codes = asyncio.run(send_all())
    assert codes == [200] * 11 + [202]
    assert len(hub.drain()) == 1


def test_many_deliveries_at_once_each_publish_their_event(hub: Hub) -> None:
    body = _fixture("shopify_python_api_inventory_level.json", "inventory_level")

    async def send_all() -> list[int]:
        async with httpx.AsyncClient(timeout=30) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        f"{hub.url}/webhooks/acme",
                        content=body,
                        headers=_shopify_headers(
                            body, "inventory_levels/update", str(uuid.uuid4())
                        ),
                    )
                    for _ in range(20)
                )
            )
        return [a.status_code for a in answers]

    assert asyncio.run(send_all()) == [202] * 20
    events = hub.drain()
    assert len(events) == 20  # batch messages on the bus are split back into events
    assert {e["type"] for e in events} == {"retail.inventory.adjusted"}


def test_a_delivery_joins_the_senders_trace_and_its_events_carry_it(hub: Hub) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from connectors.sdk import tracing

    sender_trace, sender_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    body = _unique_order()
    headers = _shopify_headers(body, "orders/create", str(uuid.uuid4()))
    headers["traceparent"] = f"00-{sender_trace}-{sender_span}-01"
    exporter = InMemorySpanExporter()
    tracing.configure(span_exporter=exporter)
    try:
        answer = _post(hub, "acme", body, headers)
    finally:
        tracing.shutdown()
    assert answer.status_code == 202, answer.text
    [event] = hub.drain()
    found = exporter.get_finished_spans()
    [request] = [s for s in found if s.name == "crossdock.webhook"]
    ctx = request.get_span_context()
    assert ctx is not None
    assert request.parent is not None
    assert (f"{ctx.trace_id:032x}", f"{request.parent.span_id:016x}") == (
        sender_trace,
        sender_span,
    )
    stages = {s.name: s for s in found if s.parent is not None and s.parent.span_id == ctx.span_id}
    assert set(stages) == {"crossdock.message", "crossdock.publish"}
    # the event carries its publish span: a consumer continues the sender's trace
    publish = stages["crossdock.publish"].get_span_context()
    assert publish is not None
    assert event["traceparent"] == f"00-{sender_trace}-{publish.span_id:016x}-01"
