"""Webhook target: the notification as JSON, signed with HMAC-SHA256 over timestamp and body.

Headers: ``X-Crossdock-Timestamp`` (Unix seconds), ``X-Crossdock-Signature``
(``sha256=<hex>`` of ``"<timestamp>.<body>"`` under the shared secret, as Stripe and Slack sign),
``Idempotency-Key`` (the delivery id: the same across retries). :func:`verify_signature` is the
receiver's side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext
from hub.routing.targets.http import post_json, secret_from_env

__all__ = ["WebhookConfig", "WebhookTarget", "sign", "verify_signature"]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Crossdock-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, max_age: float = 300.0
) -> bool:
    """Whether ``signature`` is ours for ``body`` and ``timestamp`` is at most ``max_age`` old."""
    try:
        age = abs(time.time() - float(timestamp))
    except ValueError:
        return False
    return age <= max_age and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookConfig(BaseModel):
    """``kind: webhook``: POST the notification to ``url``, signed with the secret in the env."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["webhook"] = "webhook"
    url: str
    secret_env: str | None = None
    """Environment variable holding the HMAC secret (never the secret itself in the file)."""
    timeout: float = 10.0

    def build(self, name: str, context: TargetContext | None = None) -> WebhookTarget:
        """The target this config describes (it needs nothing from ``context``)."""
        return WebhookTarget(name, self)


class WebhookTarget:
    """Signed JSON webhook."""

    def __init__(self, name: str, config: WebhookConfig) -> None:
        self.name = name
        self.config = config

    def send(self, notification: Notification) -> DeliveryReceipt:
        """POST the signed notification."""
        body = json.dumps(notification.as_json(), separators=(",", ":")).encode()
        headers = {"Idempotency-Key": notification.delivery_id}
        secret = secret_from_env(self.name, self.config.secret_env)
        if secret is not None:
            stamp = str(int(time.time()))
            headers["X-Crossdock-Timestamp"] = stamp
            headers["X-Crossdock-Signature"] = sign(secret, stamp, body)
        response = post_json(
            self.name, self.config.url, content=body, headers=headers, timeout=self.config.timeout
        )
        return DeliveryReceipt(response.headers.get("Location"))
