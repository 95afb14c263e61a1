"""Chat target: an incoming-webhook message (``{"text": …}``, what Slack and Teams accept)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext
from hub.routing.targets.http import post_json

__all__ = ["ChatConfig", "ChatTarget"]


class ChatConfig(BaseModel):
    """``kind: chat``: post a short text to an incoming-webhook URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["chat"] = "chat"
    url: str
    timeout: float = 10.0

    def build(self, name: str, context: TargetContext | None = None) -> ChatTarget:
        """The target this config describes (it needs nothing from ``context``)."""
        return ChatTarget(name, self)


class ChatTarget:
    """Incoming-webhook chat message."""

    def __init__(self, name: str, config: ChatConfig) -> None:
        self.name = name
        self.config = config

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Post the notification's text (first 20 lines) as one message."""
        text = "\n".join(notification.text().splitlines()[:20])
        body = json.dumps({"text": text}).encode()
        post_json(
            self.name,
            self.config.url,
            content=body,
            headers={"Idempotency-Key": notification.delivery_id},
            timeout=self.config.timeout,
        )
        return DeliveryReceipt()
