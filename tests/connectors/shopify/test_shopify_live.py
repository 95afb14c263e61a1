"""The Shopify source against a fake Admin API served by uvicorn: auth header, pages, 429."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from connectors.sdk import FailureType, State, run_source
from connectors.sdk.testing import StubBus
from connectors.shopify import ShopifyConfig, ShopifySource
from tests.connectors.rest.server import serve
from tests.corpus import corpus_file

TOKEN = "shpat_live_test"
API = "/admin/api/2024-10"


def _shop() -> tuple[FastAPI, dict[str, Any]]:
    base = json.loads(corpus_file("shopify/shopify_python_api_order.json").read_text())["order"]
    orders = []
    for n in range(1, 6):
        order = copy.deepcopy(base)
        order["id"] = 1000 + n
        orders.append(order)
    seen: dict[str, Any] = {"requests": 0, "throttled": False}
    app = FastAPI()

    @app.get(f"{API}/shop.json")
    def shop(request: Request) -> Response:
        if request.headers.get("x-shopify-access-token") != TOKEN:
            return JSONResponse({"errors": "[API] Invalid API key or access token"}, 401)
        return JSONResponse({"shop": {"name": "Live Acme"}})

    @app.get(f"{API}/orders.json")
    def list_orders(
        request: Request, limit: int = 50, since_id: int = 0, page_info: str = ""
    ) -> Response:
        seen["requests"] += 1
        if request.headers.get("x-shopify-access-token") != TOKEN:
            return JSONResponse({"errors": "unauthorized"}, 401)
        if page_info and not seen["throttled"]:  # the second page is throttled once
            seen["throttled"] = True
            return JSONResponse(
                {"errors": "Exceeded 2 calls per second"}, 429, {"Retry-After": "1.0"}
            )
        after = int(page_info) if page_info else since_id
        page = [o for o in orders if o["id"] > after][:limit]
        headers = {}
        if page and page[-1]["id"] < orders[-1]["id"]:
            query = f"limit={limit}&page_info={page[-1]['id']}"
            nxt = f"{request.base_url}{API.lstrip('/')}/orders.json?{query}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return JSONResponse({"orders": page}, headers=headers)

    return app, seen


@pytest.fixture
def shopify() -> Iterator[tuple[str, dict[str, Any]]]:
    app, seen = _shop()
    with serve(app) as url:
        yield url, seen


def _source(url: str, token: str = TOKEN, sleeps: list[float] | None = None) -> ShopifySource:
    def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)
        time.sleep(seconds)

    config = ShopifyConfig.model_validate(
        {
            "shop": "acme.myshopify.com",
            "access_token": token,
            "webhook_secret": "unused",
            "page_size": 2,
            "base_url": url,
        }
    )
    return ShopifySource(config, sleep=sleep)


def test_check_with_the_right_and_the_wrong_token(shopify: tuple[str, dict[str, Any]]) -> None:
    url, _ = shopify
    with _source(url) as good:
        assert good.check().ok
    with _source(url, token="shpat_wrong") as bad:
        result = bad.check()
    assert not result.ok
    assert result.failure is FailureType.CONFIG


def test_orders_are_polled_page_by_page_through_a_429_and_resumed_by_since_id(
    shopify: tuple[str, dict[str, Any]],
) -> None:
    url, seen = shopify
    sleeps: list[float] = []
    bus = StubBus()
    with _source(url, sleeps=sleeps) as source:
        outcome = run_source(source, bus)
    assert [e.subject for e in bus.events] == ["1001", "1002", "1003", "1004", "1005"]
    assert sleeps == [1.0]  # Shopify's Retry-After: 1.0
    assert outcome.state == State({"orders": {"since": 1005}})
    before = seen["requests"]
    with _source(url) as source:
        again = run_source(source, StubBus(), outcome.state)
    assert again.published == 0
    assert seen["requests"] == before + 1  # one request: orders after since_id 1005
