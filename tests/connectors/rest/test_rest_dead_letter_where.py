"""A REST object that cannot be mapped is dead-lettered under its id, not its page cursor."""

from __future__ import annotations

from connectors.sdk import run_source
from connectors.sdk.testing import StubBus
from tests.connectors.rest.peer import build_peer
from tests.connectors.rest.server import serve
from tests.connectors.rest.test_rest_cursor_state import _source


def test_a_dead_letter_of_an_api_object_names_its_id_first() -> None:
    app, state = build_peer()
    state.feed.append({"id": 4711, "store": "S001", "at": "2026-11-23T08:00:00Z"})  # no sku
    with serve(app) as url, _source(url, has_more_path="has_more") as source:
        bus = StubBus()
        run_source(source, bus)
    [letter] = bus.dead_letters
    assert letter.location.startswith("id 4711, http://127.0.0.1:")
    assert "/feed/items?" in letter.location  # the page it came from follows
