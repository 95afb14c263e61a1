"""The REST sink pushes canonical events to a real HTTP server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.rest import RestSink, RestSinkConfig
from connectors.sdk import deliver
from connectors.sdk.testing import StubBus
from tests.connectors.rest.peer import PeerState, build_peer
from tests.connectors.rest.server import serve


@pytest.fixture
def peer() -> Iterator[tuple[str, PeerState]]:
    app, state = build_peer()
    with serve(app) as url:
        yield url, state


def _event(n: int, subject: str = "S001") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"evt-{n}",
        "source": "crossdock://test",
        "type": "retail.inventory.adjusted",
        "subject": subject,
        "dataversion": 1,
        "time": "2026-11-23T08:00:00Z",
        "data": {"sku": f"SKU-{n}"},
    }


def test_events_are_posted_with_their_id_as_idempotency_key_and_a_refusal_dead_letters_alone(
    peer: tuple[str, PeerState],
) -> None:
    url, state = peer
    events = [_event(1), _event(2, subject="refuse-me"), _event(3)]
    bus = StubBus()
    sink = RestSink(RestSinkConfig.model_validate({"base_url": url, "path": "/events"}))
    with sink:
        report = deliver(sink, events, bus)
    assert report.written == ["evt-1", "evt-3"]
    assert [e["id"] for e in state.received] == ["evt-1", "evt-3"]
    assert state.idempotency_keys == ["evt-1", "evt-2", "evt-3"]
    assert [d.location for d in bus.dead_letters] == ["evt-2"]
    assert b'"refuse-me"' in bus.dead_letters[0].payload
    assert "422" in str(bus.dead_letters[0].error)
