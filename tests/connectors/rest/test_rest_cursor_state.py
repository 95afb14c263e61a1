"""A REST API paged by cursor alone: its last cursor is the state, so the next run reads only
what came after; and every retried call of the read is counted in the run's outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.rest import RestSource
from connectors.sdk import State, run_source
from connectors.sdk.testing import StubBus
from tests.connectors.rest.peer import ITEMS, SPECS, PeerState, build_peer
from tests.connectors.rest.server import serve


@pytest.fixture
def peer() -> Iterator[tuple[str, PeerState]]:
    app, state = build_peer()
    with serve(app) as url:
        yield url, state


def _source(url: str, **pagination: Any) -> RestSource:
    config = {
        "base_url": url,
        "specs_dir": str(SPECS),
        "streams": [
            {
                "name": "stock",
                "path": "/feed/items",
                "records_path": "items",
                "pagination": {"style": "cursor", "page_size": 3, **pagination},
                "mapping": "json.partner-stock",
            }
        ],
    }
    return RestSource(RestSource.config_model.model_validate(config), sleep=lambda _s: None)


def _new_items(state: PeerState, *ids: int) -> None:
    for n in ids:
        state.feed.append({**ITEMS[0], "id": n, "sku": f"SKU-{n}"})


def _ids(bus: StubBus) -> list[str]:
    return [str(e.subject) for e in bus.events]


def test_the_next_run_continues_from_the_last_cursor_the_feed_answered(
    peer: tuple[str, PeerState],
) -> None:
    url, state = peer
    with _source(url, has_more_path="has_more") as source:
        first_bus = StubBus()
        first = run_source(source, first_bus)
        assert _ids(first_bus) == [str(i["id"]) for i in ITEMS]
        assert "resume" in first.state.position("stock")
        _new_items(state, 8, 9)
        again_bus = StubBus()
        again = run_source(source, again_bus, State.from_json(first.state.to_json()))
    # only the two new objects: the feed is not read again from its start
    assert _ids(again_bus) == ["8", "9"]
    assert again.published == 2


def test_a_feed_without_a_last_cursor_resumes_at_its_last_page(
    peer: tuple[str, PeerState],
) -> None:
    url, state = peer
    with _source(url, has_more_path="has_more") as source:
        source.config.streams[0].params["end"] = "empty"
        first = run_source(source, StubBus())
        _new_items(state, 8)
        again_bus = StubBus()
        run_source(source, again_bus, first.state)
    # the last page (object 7, same event id as before) and the new one, not all seven again
    assert _ids(again_bus) == ["7", "8"]


def test_every_retried_call_of_a_read_is_counted(peer: tuple[str, PeerState]) -> None:
    url, state = peer
    state.feed_throttles = True
    with _source(url, has_more_path="has_more") as source:
        outcome = run_source(source, StubBus())
    # three pages, each first refused with 429 and Retry-After: 0, then read
    assert outcome.records == len(ITEMS)
    assert len(state.feed_refused) == 3
    assert outcome.retries == 3
