"""The pytest plugin (entry point pytest11) gives connector tests their fixtures, no conftest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from connectors.sdk import DeadLetter, Decision, FailureType
from connectors.sdk.decisions import Action
from connectors.sdk.testing import RecordingTransport, ReplayMiss, ReplayTransport, StubBus


def test_the_stub_bus_fixture_keeps_dead_letters(stub_bus: StubBus) -> None:
    letter = DeadLetter(
        connector="c",
        source="s",
        location="f.csv:line 3",
        stage="read",
        error=ValueError("bad"),
        decision=Decision(Action.DEAD_LETTER, FailureType.DATA),
        payload=b"raw",
        content_type="text/csv",
    )
    stub_bus.dead_letter([letter])
    assert stub_bus.dead_letters == [letter]


def test_replay_serves_recorded_answers_in_order_and_refuses_the_unrecorded(
    replay: Callable[[str], ReplayTransport],
) -> None:
    with httpx.Client(transport=replay("probe.json")) as client:
        assert client.get("https://peer.example.test/ping?a=1&b=2").json() == {"pong": True}
        assert client.get("https://peer.example.test/busy").status_code == 503
        assert client.get("https://peer.example.test/busy").status_code == 200
        with pytest.raises(ReplayMiss):
            client.get("https://peer.example.test/elsewhere")


def test_a_recording_replays_what_it_recorded(tmp_path: Path) -> None:
    def peer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path}, headers={"Set-Cookie": "x"})

    path = tmp_path / "rec.json"
    with httpx.Client(transport=RecordingTransport(httpx.MockTransport(peer), path)) as client:
        client.get("https://peer.example.test/a", headers={"Authorization": "Bearer secret"})
    assert "secret" not in path.read_text()
    assert "set-cookie" not in path.read_text().lower()
    with httpx.Client(transport=ReplayTransport.from_file(path)) as client:
        assert client.get("https://peer.example.test/a").json() == {"path": "/a"}
