"""Webhook sources: a peer pushes deliveries; the hub's ingress verifies, dedups and publishes.

A :class:`WebhookSource` adds to a :class:`~connectors.sdk.connector.Source` what the ingress
needs (``hub/api/webhooks.py`` serves ``POST /webhooks/{instance}``):

1. :meth:`WebhookSource.verify` — the signature over the raw body, and the replay window;
   raises :class:`SignatureInvalid` (answered 401, nothing published);
2. :meth:`WebhookSource.delivery_id` — the peer's id of this delivery: a delivery seen before
   is acknowledged and not published again (persisted, so across restarts too);
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

__all__ = ["SignatureInvalid", "WebhookRequest", "WebhookSource"]

ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)


class SignatureInvalid(PermanentConnectorError):
    """A delivery's signature is missing, wrong, or outside the replay window."""


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

    @abc.abstractmethod
    def receive(self, request: WebhookRequest) -> Iterator[RawRecord | RecordError]:
        """The records of one verified delivery."""
