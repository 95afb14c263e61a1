"""In-memory target for users' tests: keeps what it was sent, can be told to fail."""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hub.routing.errors import TargetRejected, TargetUnavailable
from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext

__all__ = ["MemoryConfig", "MemoryTarget"]


class MemoryConfig(BaseModel):
    """``kind: memory``: notifications stay in the process (tests, ``routing test``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["memory"] = "memory"

    def build(self, name: str, context: TargetContext | None = None) -> MemoryTarget:
        """The target this config describes (it needs nothing from ``context``)."""
        return MemoryTarget(name)


class MemoryTarget:
    """Records notifications in :attr:`sent`; ``fail_next`` makes the next sends fail."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[Notification] = []
        self.fail_next = 0
        self.reject = False
        self._lock = threading.Lock()

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Keep ``notification`` (or fail, as told)."""
        with self._lock:
            if self.reject:
                raise TargetRejected(self.name, "told to reject")
            if self.fail_next > 0:
                self.fail_next -= 1
                raise TargetUnavailable(self.name, "told to fail")
            self.sent.append(notification)
        return DeliveryReceipt(notification.delivery_id)
