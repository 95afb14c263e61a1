"""publish_confirmed: every message confirmed before it returns; after a failure, all again."""

from __future__ import annotations

from typing import Any

import pytest

from hub.bus.confirmed import publish_confirmed
from hub.errors import BrokerUnavailable, PublishNotConfirmed
from hub.retry import RetryPolicy

FAST = RetryPolicy(max_attempts=3, initial_wait=0.0, max_wait=0.0)
MESSAGES = [("retail.a.v1", b"[1]"), ("retail.b.v1", b"[2]")]


class _FlakyPublisher:
    """Stands in for the broker's answers: the first ``failures`` flushes are not confirmed."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, bytes]] = []
        self.confirmed: list[tuple[str, bytes]] = []
        self.closed = 0

    def publish(self, body: bytes, *, routing_key: str, content_type: str) -> None:
        self.sent.append((routing_key, body))

    def flush(self) -> None:
        if self.failures:
            self.failures -= 1
            self.sent.clear()
            raise PublishNotConfirmed("nacked")
        self.confirmed.extend(self.sent)

    def close(self) -> None:
        self.closed += 1


def test_a_failed_confirm_sends_every_message_again_on_a_new_connection() -> None:
    publisher = _FlakyPublisher(failures=2)
    publish_confirmed(publisher, MESSAGES, FAST)  # type: ignore[arg-type]
    assert publisher.confirmed == MESSAGES
    assert publisher.closed == 2  # each re-send starts over on a fresh connection


def test_when_the_broker_never_confirms_the_error_reaches_the_caller() -> None:
    publisher: Any = _FlakyPublisher(failures=99)
    with pytest.raises((PublishNotConfirmed, BrokerUnavailable)):
        publish_confirmed(publisher, MESSAGES, FAST)
    assert publisher.confirmed == []  # nothing was ever confirmed, so nothing may be marked done
