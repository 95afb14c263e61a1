"""Webhook ingress: ``POST /webhooks/{instance}`` for every webhook connector instance.

Per delivery, in this order:

1. the connector verifies the signature over the raw body and the replay window
   (:meth:`~connectors.sdk.webhook.WebhookSource.verify`) — refused: **401**, nothing kept;
2. the connector turns the body into records and maps them to canonical events; a record
   that fails for good becomes a dead letter (with the body and where it came from);
3. the delivery goes to the group committer (:mod:`hub.api.webhook_commits`): a delivery id
   taken before is answered **200** ``duplicate`` and nothing is published; otherwise its
   events are published and confirmed by the broker, then its id and dead letters commit in
   one transaction — **202** with the event ids.

A transient failure (broker down, database busy) answers **503** with ``Retry-After``, so the
peer's own retry delivers it again: nothing is lost, and nothing is published twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from canonical import Envelope
from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.sdk import tracing
from connectors.sdk.bus import EventBus
from connectors.sdk.deadletter import DeadLetter
from connectors.sdk.entry_points import load_connector
from connectors.sdk.errors import ConnectorConfigError
from connectors.sdk.webhook import SignatureInvalid, WebhookRequest, WebhookSource
from hub.api.webhook_commits import DeliveryCommitter, PendingDelivery
from hub.config import ConnectorSettings, Settings
from hub.connector_bus import HubEventBus
from hub.errors import ConfigError
from hub.retry import DEFAULT_TABLE, RetryTable

__all__ = ["WebhookIngress", "webhook_router"]

log = logging.getLogger(__name__)

_RETRY_LATER = {"Retry-After": "5"}

#: a delivery larger than this is refused (413) before it is read: webhook bodies are small
#: (a Shopify order is a few KB), a huge one is a mistake or an attack
MAX_BODY_BYTES = 8 << 20


@dataclass(slots=True)
class _Outcome:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class WebhookIngress:
    """Verifies, maps, dedups and durably publishes webhook deliveries."""

    def __init__(
        self,
        instances: list[ConnectorSettings],
        engine: Engine,
        bus: HubEventBus,
    ) -> None:
        self.instances = {i.name: i for i in instances}
        self.engine = engine
        self.committer = DeliveryCommitter(engine, bus)
        self._sources: dict[str, WebhookSource[Any]] = {}
        self._tables: dict[str, RetryTable] = {}
        self._lock = threading.Lock()

    def source(self, name: str) -> WebhookSource[Any] | None:
        """The webhook connector configured as ``name`` (built once), or None."""
        found = self._sources.get(name)
        if found is not None:
            return found
        instance = self.instances.get(name)
        if instance is None:
            return None
        with self._lock:
            cls = load_connector(instance.transport)
            if not issubclass(cls, WebhookSource):
                raise ConfigError(f"connector instance {name!r} ({cls.name}) takes no webhooks")
            built = cls.from_config(instance.config)
            self._tables[name] = built.decision_table(DEFAULT_TABLE)
            self._sources[name] = built
            return built

    def verify(self, name: str, request: WebhookRequest) -> _Outcome | None:
        """Refuse an unknown instance or a bad signature; None when the delivery may go on."""
        try:
            source = self.source(name)
        except (ConfigError, ConnectorConfigError) as exc:
            # the hub's configuration is wrong, not the delivery: the peer keeps re-sending it
            # until an operator fixes the instance, so nothing is lost meanwhile
            log.error("webhook %s: the instance cannot be built: %s", name, exc)
            return _Outcome(503, {"detail": "instance misconfigured; send again"}, _RETRY_LATER)
        if source is None:
            return _Outcome(404, {"detail": f"no webhook connector instance {name!r}"})
        try:
            source.verify(request)
            source.delivery_id(request)  # no id, no dedup: refused like a bad signature
        except SignatureInvalid as exc:
            log.warning("webhook %s: refused: %s", name, exc)
            return _Outcome(401, {"detail": f"signature refused: {exc}"})
        return None

    async def take(self, name: str, request: WebhookRequest) -> _Outcome:
        """Steps 2-3 of the module doc, for a verified delivery."""
        source = self.source(name)
        assert source is not None  # verify() answered 404 otherwise
        delivery = source.delivery_id(request)
        try:
            with tracing.span("crossdock.message", attributes={"crossdock.delivery_id": delivery}):
                events, letters = self._translate(name, source, request, delivery)
            keys = source.delivery_keys(request)
            with tracing.span(
                "crossdock.publish", kind="producer", attributes={"crossdock.events": len(events)}
            ):
                taken = await self.committer.take(
                    PendingDelivery(name, delivery, tracing.stamped(events), letters, keys)
                )
        except Exception as exc:
            log.warning("webhook %s delivery %s not taken: %s", name, delivery, exc)
            return _Outcome(
                503, {"detail": f"not taken, send again: {type(exc).__name__}"}, _RETRY_LATER
            )
        if taken.duplicate:
            return _Outcome(200, {"status": "duplicate", "delivery_id": delivery})
        return _Outcome(
            202,
            {
                "status": "accepted",
                "delivery_id": delivery,
                "events": taken.event_ids,
                "dead_letters": len(letters),
            },
        )

    def _translate(
        self, name: str, source: WebhookSource[Any], request: WebhookRequest, delivery: str
    ) -> tuple[list[Envelope[Any]], list[DeadLetter]]:
        table = self._tables[name]
        events: list[Envelope[Any]] = []
        letters: list[DeadLetter] = []

        def letter(exc: Exception, stage: str, raw: bytes, location: str, ctype: str) -> None:
            letters.append(
                DeadLetter(
                    connector=name,
                    source=f"webhook:{name}",
                    location=location,
                    stage=stage,
                    error=exc,
                    decision=table.decide(exc),
                    payload=raw,
                    content_type=ctype,
                    source_key=f"webhook:{name}:{delivery}",
                    context={"delivery_id": delivery, "headers": _safe_headers(request)},
                )
            )

        for item in source.receive(request):
            if isinstance(item, RecordError):
                letter(item, "decode", item.raw or request.body, item.location, "application/json")
                continue
            assert isinstance(item, RawRecord)
            try:
                events.extend(source.to_events(item))
            except Exception as exc:
                if table.decide(exc).retryable:
                    raise  # the peer sends it again; nothing is kept half-done
                where = source.dead_letter_location(item)
                letter(exc, "mapping", item.data, where, item.content_type)
        return events, letters


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or None when it is (or announces to be) larger than :data:`MAX_BODY_BYTES`."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return None
    if length is not None:
        return await request.body()
    parts: list[bytes] = []  # chunked: read no further than the limit
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _safe_headers(request: WebhookRequest) -> dict[str, str]:
    """Headers worth keeping with a dead letter (no signatures, no credentials)."""
    drop = ("hmac", "signature", "authorization", "cookie", "token")
    return {k: v for k, v in request.headers.items() if not any(d in k for d in drop)}


def webhook_router(settings: Settings, engine: Engine, *, bus: EventBus | None = None) -> APIRouter:
    """The ingress route for the SDK connectors of ``settings``, publishing to the hub's bus."""
    hub_bus = bus if isinstance(bus, HubEventBus) else HubEventBus.for_settings(settings, engine)
    ingress = WebhookIngress(settings.sdk_connectors, engine, hub_bus)
    router = APIRouter(tags=["webhooks"])

    @router.post(
        "/webhooks/{instance}",
        status_code=202,
        responses={
            200: {"description": "a duplicate delivery: already taken, nothing published"},
            401: {"description": "signature missing, wrong, or outside the replay window"},
            404: {"description": "no webhook connector instance of that name"},
            413: {"description": "the body is larger than the ingress takes (8 MiB)"},
            503: {"description": "not taken (bus or database unavailable); send it again"},
        },
    )
    async def receive_webhook(instance: str, request: Request) -> Response:
        """Take one webhook delivery (see the module doc of ``hub.api.webhooks``)."""
        body = await _bounded_body(request)
        if body is None:
            detail = {"detail": f"a delivery is at most {MAX_BODY_BYTES} bytes"}
            return Response(orjson.dumps(detail), status_code=413, media_type="application/json")
        delivery = WebhookRequest(
            body=body,
            headers=dict(request.headers),  # Starlette's header names are lower-case already
            received_at=datetime.now(UTC),
            path=str(request.scope["path"]),
        )
        # the request starts a trace, or joins the sender's (its traceparent header)
        with tracing.span(
            "crossdock.webhook",
            traceparent=delivery.headers.get(tracing.TRACEPARENT),
            tracestate=delivery.headers.get(tracing.TRACESTATE),
            kind="server",
            attributes={"crossdock.connector": instance, "url.path": delivery.path},
        ) as span:
            outcome = ingress.verify(instance, delivery) or await ingress.take(instance, delivery)
            span.set("http.response.status_code", outcome.status)
        return Response(
            orjson.dumps(outcome.body),
            status_code=outcome.status,
            headers=outcome.headers,
            media_type="application/json",
        )

    return router
