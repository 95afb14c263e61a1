"""Queue target: the notification as a persistent JSON message on a named kombu queue.

Works on the embedded SQLite bus and on RabbitMQ alike: the target's own ``url``, else the bus of
the hub that runs it (whatever its data folder or database), else ``$CROSSDOCK_BUS_URL``, else
the embedded bus in ``./var``. Resolving against the working directory first sent deliveries of a
hub whose data folder was elsewhere to a SQLite file that could not be opened.
The queue is declared (durable) before the publish so nothing is sent into the void.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from kombu import Exchange, Producer, Queue
from pydantic import BaseModel, ConfigDict

from hub.bus.connection import open_connection
from hub.routing.errors import TargetUnavailable
from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext

__all__ = ["QueueConfig", "QueueTarget"]

_EMBEDDED = f"sqlite:///{Path('var/bus.db').resolve()}"
_EXCHANGE = Exchange("crossdock.routing", type="direct", durable=True, delivery_mode=2)


class QueueConfig(BaseModel):
    """``kind: queue``: a broker URL and a queue name (bound by its own name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["queue"] = "queue"
    url: str | None = None
    """``amqp://…`` or ``sqlite:///…``; default: the running hub's bus (see the module)."""
    queue: str

    def build(self, name: str, context: TargetContext | None = None) -> QueueTarget:
        """The target this config describes."""
        return QueueTarget(name, self, context.bus_url if context else None)


class QueueTarget:
    """Persistent message on a named queue."""

    def __init__(self, name: str, config: QueueConfig, hub_bus_url: str | None = None) -> None:
        self.name = name
        self.config = config
        self.url = config.url or hub_bus_url or os.environ.get("CROSSDOCK_BUS_URL") or _EMBEDDED
        self.queue = Queue(config.queue, exchange=_EXCHANGE, routing_key=config.queue, durable=True)

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Publish the notification; broker trouble is TargetUnavailable (retried)."""
        body = json.dumps(notification.as_json()).encode()
        try:
            conn = open_connection(self.url)
        except OSError as exc:
            raise TargetUnavailable(self.name, f"cannot connect: {exc}") from exc
        try:
            channel = conn.channel()
            self.queue(channel).declare()
            Producer(channel, exchange=_EXCHANGE).publish(
                body,
                routing_key=self.config.queue,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=notification.delivery_id,
                retry=False,
            )
        except OSError as exc:
            raise TargetUnavailable(self.name, f"publish failed: {exc}") from exc
        finally:
            conn.release()
        return DeliveryReceipt(notification.delivery_id)
