"""Webhook sources: a peer pushes deliveries; the hub's ingress verifies, dedups and publishes.

A :class:`WebhookSource` adds to a :class:`~connectors.sdk.connector.Source` what the ingress
needs (``hub/api/webhooks.py`` serves ``POST /webhooks/{instance}``):

1. :meth:`WebhookSource.verify` — the signature over the raw body, and the replay window;
   raises :class:`SignatureInvalid` (answered 401, nothing published);
2. :meth:`WebhookSource.delivery_id` — the peer's id of this delivery: a delivery seen before
   is acknowledged and not published again (persisted, so across restarts too).
   :meth:`WebhookSource.delivery_keys` may add further keys that make a delivery a duplicate
   (a peer's event id, which stays the same when the peer re-sends under a new delivery id;
   a digest of the body, for a limited window, when the peer sends no timestamp to bound
   replays by);
3. :meth:`WebhookSource.receive` — the delivery's records (usually one), then
   :meth:`~connectors.sdk.connector.Source.to_events` maps each to canonical events.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.sdk.config import ConnectorConfig
from connectors.sdk.connector import Source
from connectors.sdk.errors import PermanentConnectorError

__all__ = ["DeliveryKey", "SignatureInvalid", "WebhookRequest", "WebhookSource"]

ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)


class SignatureInvalid(PermanentConnectorError):
    """A delivery's signature is missing, wrong, or outside the replay window."""


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    """One key by which a delivery is a duplicate of one taken before.

    ``window_seconds`` bounds how long the key counts (``None``: as long as the ledger keeps
    deliveries): a body digest must not refuse the same content sent on purpose days later.
    """

    value: str
    window_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One inbound delivery as the ingress received it (headers lower-cased)."""

    body: bytes
    headers: Mapping[str, str]
    received_at: datetime
    path: str = ""

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self.headers.get(name.lower())


class WebhookSource(Source[ConfigT]):
    """A source whose peer pushes deliveries to the hub."""

    @abc.abstractmethod
    def verify(self, request: WebhookRequest) -> None:
        """Raise :class:`SignatureInvalid` unless the delivery is authentic and fresh."""

    @abc.abstractmethod
    def delivery_id(self, request: WebhookRequest) -> str:
        """The peer's id of this delivery (stable across its re-sends)."""

    def delivery_keys(self, request: WebhookRequest) -> list[DeliveryKey]:
        """Every key that makes this delivery a duplicate; the first is :meth:`delivery_id`."""
        return [DeliveryKey(self.delivery_id(request))]

    @abc.abstractmethod
    def receive(self, request: WebhookRequest) -> Iterator[RawRecord | RecordError]:
        """The records of one verified delivery."""
