"""Publish a set of batch messages and return only once the broker confirmed every one.

The runner (:mod:`connectors.sdk.runner`, through :mod:`hub.connector_bus`) publishes a
checkpoint's batch messages here, then stores its dead letters and its state: those must wait
for the confirms. After any failure the whole set is sent again over a
new connection (event ids are deterministic, so consumers drop the copies), retried by the
hub's retry policy; nothing is marked done before the confirms arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hub.batch import BATCH_CONTENT_TYPE
from hub.bus.publisher import ConfirmedPublisher
from hub.errors import BusError
from hub.retry import RetryPolicy, retrying

__all__ = ["publish_confirmed"]

log = logging.getLogger(__name__)


def publish_confirmed(
    publisher: ConfirmedPublisher, messages: Sequence[tuple[str, bytes]], policy: RetryPolicy
) -> None:
    """Publish each ``(routing key, batch body)``; return when the broker confirmed all."""
    if not messages:
        return

    def send() -> None:
        for key, body in messages:
            publisher.publish(body, routing_key=key, content_type=BATCH_CONTENT_TYPE)
        publisher.flush()

    def resend() -> None:
        publisher.close()
        send()

    try:
        send()
    except BusError as exc:
        log.warning("publish failed, re-sending %d batch messages: %s", len(messages), exc)
        retrying(
            policy,
            resend,
            on_retry=lambda e, n: log.warning("publish attempt %d failed: %s", n, e),
        )
