"""Webhook signatures: Shopify's HMAC header, and the generic Standard Webhooks HMAC-SHA256 scheme.

- **Shopify**: ``X-Shopify-Hmac-Sha256`` is ``base64(HMAC-SHA256(secret, raw body))``. The
  raw body must be the exact bytes received (never re-serialised JSON). The replay window uses
  ``X-Shopify-Triggered-At`` when present; it is not covered by the HMAC, so the persisted
  delivery ids (``X-Shopify-Webhook-Id``) are what really stops a replay.
- **Generic** (the Standard Webhooks scheme): headers ``webhook-id``, ``webhook-timestamp``
  (Unix seconds) and ``webhook-signature`` (space-separated ``v1,<base64>``), signed content
  ``f"{id}.{timestamp}.{body}"``. The timestamp is signed, so the window is enforced for real.
  A secret ``whsec_<base64>`` is the base64 key; any other secret is used as UTF-8 bytes.

Comparisons are constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Protocol

from connectors.sdk.webhook import SignatureInvalid, WebhookRequest

__all__ = [
    "ShopifySignature",
    "SignatureScheme",
    "StandardWebhookSignature",
    "sign_shopify",
    "sign_standard",
]


class SignatureScheme(Protocol):
    """Verifies one delivery: raises :class:`SignatureInvalid`, else returns its delivery id."""

    def verify(self, request: WebhookRequest) -> str:
        """The delivery id of an authentic, fresh delivery."""
        ...


def _within(received: datetime, sent: datetime, tolerance: timedelta, what: str) -> None:
    if abs(received - sent) > tolerance:
        raise SignatureInvalid(
            f"{what} {sent.isoformat()} is outside the replay window "
            f"of {tolerance.total_seconds():.0f}s around {received.isoformat()}"
        )


def sign_shopify(secret: str, body: bytes) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value for ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class ShopifySignature:
    """Shopify's webhook HMAC over the raw body."""

    def __init__(self, secret: str, *, tolerance_seconds: float = 300.0) -> None:
        self._secret = secret.encode()
        self.tolerance = timedelta(seconds=tolerance_seconds)

    def verify(self, request: WebhookRequest) -> str:
        """Check the HMAC and the trigger time; return ``X-Shopify-Webhook-Id``."""
        given = request.header("x-shopify-hmac-sha256")
        if not given:
            raise SignatureInvalid("X-Shopify-Hmac-Sha256 header missing")
        expected = base64.b64encode(
            hmac.new(self._secret, request.body, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(given.strip().encode(), expected.encode()):
            raise SignatureInvalid("X-Shopify-Hmac-Sha256 does not match the body")
        triggered = request.header("x-shopify-triggered-at")
        if triggered:
            try:
                sent = datetime.fromisoformat(triggered.replace("Z", "+00:00"))
            except ValueError as exc:
                raise SignatureInvalid(f"X-Shopify-Triggered-At {triggered!r} unreadable") from exc
            _within(request.received_at, sent, self.tolerance, "X-Shopify-Triggered-At")
        delivery = request.header("x-shopify-webhook-id") or request.header("x-shopify-event-id")
        if not delivery:
            raise SignatureInvalid("X-Shopify-Webhook-Id header missing")
        return delivery


def _standard_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error as exc:
            raise ValueError("a whsec_ secret must be base64 after the prefix") from exc
    return secret.encode()


def sign_standard(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for one delivery."""
    content = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(_standard_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class StandardWebhookSignature:
    """The generic HMAC-SHA256 scheme with a signed timestamp (Standard Webhooks)."""

    def __init__(self, secret: str, *, tolerance_seconds: float = 300.0) -> None:
        self._key = _standard_key(secret)
        self.tolerance = timedelta(seconds=tolerance_seconds)

    def verify(self, request: WebhookRequest) -> str:
        """Check a ``v1`` signature over id, timestamp and body, and the window; return the id."""
        delivery = request.header("webhook-id")
        stamp = request.header("webhook-timestamp")
        signatures = request.header("webhook-signature")
        if not (delivery and stamp and signatures):
            raise SignatureInvalid("webhook-id, webhook-timestamp or webhook-signature missing")
        try:
            seconds = int(stamp)
        except ValueError as exc:
            raise SignatureInvalid(f"webhook-timestamp {stamp!r} is not Unix seconds") from exc
        sent = datetime.fromtimestamp(seconds, tz=request.received_at.tzinfo)
        _within(request.received_at, sent, self.tolerance, "webhook-timestamp")
        content = f"{delivery}.{seconds}.".encode() + request.body
        expected = base64.b64encode(hmac.new(self._key, content, hashlib.sha256).digest())
        for candidate in signatures.split():
            version, _, value = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(value.encode(), expected):
                return delivery
        raise SignatureInvalid("no webhook-signature matches the delivery")
