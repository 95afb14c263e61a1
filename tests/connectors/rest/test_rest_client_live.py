"""The REST client and source against a real HTTP server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.record import RawRecord
from connectors.rest import (
    HttpConfig,
    PaginationConfig,
    RestClient,
    RestStreamConfig,
    read_pages,
)
from connectors.sdk import (
    AuthenticationFailed,
    Checkpoint,
    ConnectorTimeout,
    FailureType,
    HttpStatusError,
    RetryPolicy,
)
from tests.connectors.rest.peer import CLIENT_ID, CLIENT_SECRET, ITEMS, PeerState, build_peer
from tests.connectors.rest.server import serve


@pytest.fixture(scope="module")
def peer() -> Iterator[tuple[str, PeerState]]:
    app, state = build_peer()
    with serve(app) as url:
        yield url, state


def _client(url: str, sleeps: list[float] | None = None, **config: Any) -> RestClient:
    def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)
        time.sleep(seconds)

    policy = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.05, jitter=0)
    return RestClient(HttpConfig(base_url=url, **config), policy=policy, sleep=sleep)


STYLES = {
    "link": ("/link/items", "items", PaginationConfig(style="link", page_size=3)),
    "cursor": (
        "/cursor/items",
        "data.items",
        PaginationConfig(style="cursor", page_size=3, cursor_path="meta.next"),
    ),
    "page": ("/page/items", "", PaginationConfig(style="page", page_size=3)),
    "offset": ("/offset/items", "items", PaginationConfig(style="offset", page_size=3)),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_pagination_style_reads_each_item_once_with_a_checkpoint_per_page(
    peer: tuple[str, PeerState], style: str
) -> None:
    url, _ = peer
    path, records_path, pagination = STYLES[style]
    stream = RestStreamConfig(
        name="items", path=path, records_path=records_path, pagination=pagination
    )
    with _client(url) as client:
        items = list(read_pages(client, stream, None))
    records = [i for i in items if isinstance(i, RawRecord)]
    checkpoints = [i for i in items if isinstance(i, Checkpoint)]
    assert [r.fields["id"] for r in records] == [i["id"] for i in ITEMS]
    assert len(checkpoints) >= 3  # 3 + 3 + 1 items (page/offset add an empty last page or not)
    assert "next" not in checkpoints[-1].position


@pytest.mark.parametrize("style", sorted(STYLES))
def test_resuming_from_a_page_checkpoint_reads_the_rest_only(
    peer: tuple[str, PeerState], style: str
) -> None:
    url, _ = peer
    path, records_path, pagination = STYLES[style]
    stream = RestStreamConfig(
        name="items", path=path, records_path=records_path, pagination=pagination
    )
    with _client(url) as client:
        first = list(read_pages(client, stream, None))
        mark = next(i for i in first if isinstance(i, Checkpoint))
        rest = list(read_pages(client, stream, dict(mark.position)))
    ids = [r.fields["id"] for r in rest if isinstance(r, RawRecord)]
    assert ids == [4, 5, 6, 7]


@pytest.mark.parametrize(
    ("path", "records_path", "pagination", "requests"),
    [
        # the body's total decides, not the first page shorter than page_size (the API's cap)
        (
            "/capped/offset",
            "items",
            {"style": "offset", "page_size": 3, "total_path": "meta.total"},
            4,
        ),
    ],
)
def test_an_api_serving_fewer_than_page_size_is_read_to_the_end(
    peer: tuple[str, PeerState],
    path: str,
    records_path: str,
    pagination: dict[str, Any],
    requests: int,
) -> None:
    url, state = peer
    stream = RestStreamConfig(
        name="items",
        path=path,
        records_path=records_path,
        pagination=PaginationConfig(**pagination),
    )
    before = state.hits[path.strip("/")]
    with _client(url) as client:
        items = list(read_pages(client, stream, None))
    ids = [r.fields["id"] for r in items if isinstance(r, RawRecord)]
    assert ids == [i["id"] for i in ITEMS]
    assert state.hits[path.strip("/")] - before == requests
    assert "next" not in items[-1].position  # type: ignore[union-attr]


def test_relative_next_links_are_resolved_against_the_page_not_the_base_url(
    peer: tuple[str, PeerState],
) -> None:
    url, _ = peer
    stream = RestStreamConfig(
        name="items",
        path="relative/items",
        records_path="items",
        pagination=PaginationConfig(style="link", page_size=3),
    )
    with _client(f"{url}/api/v2/") as client:
        items = list(read_pages(client, stream, None))
    ids = [r.fields["id"] for r in items if isinstance(r, RawRecord)]
    assert ids == [i["id"] for i in ITEMS]


def test_a_page_in_the_charset_its_content_type_declares_is_read(
    peer: tuple[str, PeerState],
) -> None:
    url, _ = peer
    stream = RestStreamConfig(
        name="items", path="/latin1/items", pagination=PaginationConfig(style="none")
    )
    with _client(url) as client:
        items = list(read_pages(client, stream, None))
    records = [r for r in items if isinstance(r, RawRecord)]
    assert [r.fields["store"] for r in records] == ["Köln"]
    assert json.loads(records[0].data)["store"] == "Köln"


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_answer_waits_as_asked_then_succeeds(
    peer: tuple[str, PeerState], status: int
) -> None:
    url, state = peer
    sleeps: list[float] = []
    key = f"k{status}"
    with _client(url, sleeps) as client:
        answer = client.call("GET", f"/throttled/{key}", params={"status": status})
    assert answer.json() == {"ok": True, "key": key}
    assert sleeps == [1.0]  # the peer's Retry-After, not our own backoff
    assert state.hits[f"throttled/{key}"] == 2


def test_oauth2_token_is_fetched_once_then_refreshed_after_a_401(
    peer: tuple[str, PeerState],
) -> None:
    url, state = peer
    auth = {
        "type": "oauth2_client_credentials",
        "token_url": f"{url}/oauth/token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    issued_before = state.issued
    with _client(url, auth=auth) as client:
        first = client.call("GET", "/protected").json()
        second = client.call("GET", "/protected").json()
        assert first["token"] == second["token"]  # cached, not fetched per request
        assert state.issued == issued_before + 1
        with client.http.stream("POST", f"{url}/revoke"):
            pass
        hits = state.hits["protected"]
        third = client.call("GET", "/protected").json()
    assert third["ok"]
    assert third["token"] != first["token"]
    assert state.issued == issued_before + 2
    assert state.hits["protected"] == hits + 2  # refused once, then accepted with the new token


def test_oauth2_with_a_wrong_secret_fails_as_a_config_problem(
    peer: tuple[str, PeerState],
) -> None:
    url, _ = peer
    auth = {
        "type": "oauth2_client_credentials",
        "token_url": f"{url}/oauth/token",
        "client_id": CLIENT_ID,
        "client_secret": "wrong",
    }
    with _client(url, auth=auth) as client, pytest.raises(AuthenticationFailed) as info:
        client.call("GET", "/protected")
    assert client.policy.table.decide(info.value).failure is FailureType.CONFIG


def test_a_slow_answer_times_out_and_is_retried_then_given_up(
    peer: tuple[str, PeerState],
) -> None:
    url, state = peer
    before = state.hits["slow"]
    with _client(url, read_timeout=0.2) as client, pytest.raises(ConnectorTimeout) as info:
        client.call("GET", "/slow", params={"seconds": 1})
    assert state.hits["slow"] == before + 3  # max_attempts
    assert f"GET {url}/slow?seconds=1: " in str(info.value)  # the full URL, not "/slow"


def test_a_404_is_final_and_not_retried(peer: tuple[str, PeerState]) -> None:
    url, state = peer
    before = state.hits["missing"]
    with _client(url) as client, pytest.raises(HttpStatusError) as info:
        client.call("GET", "/missing")
    assert info.value.status == 404
    assert state.hits["missing"] == before + 1


@pytest.mark.parametrize(
    ("auth", "field", "expected"),
    [
        ({"type": "basic", "username": "hub", "password": "pw"}, "authorization", "Basic aHViOnB3"),
        ({"type": "bearer", "token": "t-1"}, "authorization", "Bearer t-1"),
        (
            {
                "type": "bearer",
                "token": "shpat_1",
                "header": "X-Shopify-Access-Token",
                "scheme": "",
            },
            "token",
            "shpat_1",
        ),
    ],
)
def test_basic_and_bearer_credentials_reach_the_server_as_configured(
    peer: tuple[str, PeerState], auth: dict[str, str], field: str, expected: str
) -> None:
    url, _ = peer
    with _client(url, auth=auth) as client:
        seen = client.call("GET", "/whoami").json()
    assert seen[field] == expected
