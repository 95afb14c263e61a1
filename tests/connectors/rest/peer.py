"""A partner's REST API, served for real by uvicorn in the live tests.

It pages seven items four ways, answers 429/503 with ``Retry-After`` once per key, issues
OAuth 2.0 client-credential tokens it can revoke, answers slowly on request, and receives
pushed events.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import yaml
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

ITEMS = [
    {
        "id": n,
        "store": f"S{n:03d}",
        "sku": f"SKU-{n}",
        "qty": str(n * 3),
        "at": "2026-11-23T08:00:00Z",
    }
    for n in range(1, 8)
]

CLIENT_ID, CLIENT_SECRET = "crossdock", "s3cret"


@dataclass
class PeerState:
    """What the peer saw, for the tests' assertions."""

    hits: Counter[str] = field(default_factory=Counter)
    valid_tokens: set[str] = field(default_factory=set)
    issued: int = 0
    throttled: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)
    idempotency_keys: list[str] = field(default_factory=list)
    #: the change feed's items: a test appends to it between reads
    feed: list[dict[str, Any]] = field(default_factory=lambda: [dict(i) for i in ITEMS])
    #: each feed page is refused once with 429 while this is set (the first request per cursor)
    feed_throttles: bool = False
    feed_refused: set[str] = field(default_factory=set)


def _page(items: list[dict[str, Any]], start: int, size: int) -> list[dict[str, Any]]:
    return items[start : start + size]


def build_peer() -> tuple[FastAPI, PeerState]:
    """The app and the state it records."""
    app = FastAPI()
    state = PeerState()
    counter = itertools.count(1)

    @app.get("/link/items")
    def link_items(request: Request, limit: int = 3, after: int = 0) -> Response:
        state.hits["link"] += 1
        page = [i for i in ITEMS if i["id"] > after][:limit]
        headers = {}
        if page and page[-1]["id"] < ITEMS[-1]["id"]:
            nxt = request.url.include_query_params(after=page[-1]["id"])
            headers["Link"] = f'<{nxt}>; rel="next"'
        return JSONResponse({"items": page}, headers=headers)

    @app.get("/cursor/items")
    def cursor_items(limit: int = 3, cursor: str = "") -> dict[str, Any]:
        state.hits["cursor"] += 1
        start = int(base64.b64decode(cursor)) if cursor else 0
        page = _page(ITEMS, start, limit)
        end = start + len(page)
        nxt = base64.b64encode(str(end).encode()).decode() if end < len(ITEMS) else None
        return {"data": {"items": page}, "meta": {"next": nxt}}

    @app.get("/feed/items")
    def feed_items(limit: int = 3, cursor: str = "", end: str = "") -> Response:
        # a change feed paged by cursor alone: every answer carries the cursor after its last
        # item and whether more follow (has_more); `end=empty` answers no cursor at the end
        state.hits["feed"] += 1
        if state.feed_throttles and cursor not in state.feed_refused:
            state.feed_refused.add(cursor)
            return JSONResponse(
                {"error": "slow down"}, status_code=429, headers={"Retry-After": "0"}
            )
        start = int(base64.b64decode(cursor)) if cursor else 0
        page = _page(state.feed, start, limit)
        stop = start + len(page)
        more = stop < len(state.feed)
        token = base64.b64encode(str(stop).encode()).decode()
        nxt = None if (end == "empty" and not more) else token
        return JSONResponse({"items": page, "next_cursor": nxt, "has_more": more})

    @app.get("/page/items")
    def page_items(limit: int = 3, page: int = 1) -> list[dict[str, Any]]:
        state.hits["page"] += 1
        return _page(ITEMS, (page - 1) * limit, limit)

    @app.get("/offset/items")
    def offset_items(limit: int = 3, offset: int = 0) -> dict[str, Any]:
        state.hits["offset"] += 1
        return {"items": _page(ITEMS, offset, limit)}

    @app.get("/capped/page")
    def capped_page(limit: int = 3, page: int = 1) -> list[dict[str, Any]]:
        # like Shopify (250) or an ERP (100): never more than its own maximum, whatever is asked
        state.hits["capped/page"] += 1
        served = min(limit, 2)
        return _page(ITEMS, (page - 1) * served, served)

    @app.get("/capped/offset")
    def capped_offset(limit: int = 3, offset: int = 0) -> dict[str, Any]:
        state.hits["capped/offset"] += 1
        return {"items": _page(ITEMS, offset, min(limit, 2)), "meta": {"total": len(ITEMS)}}

    @app.get("/api/v2/relative/items")
    def relative_items(after: int = 0, limit: int = 3) -> Response:
        # links relative to the page (RFC 8288 §3.2): root-relative, then query-only
        page = [i for i in ITEMS if i["id"] > after][:limit]
        headers = {}
        if page and page[-1]["id"] < ITEMS[-1]["id"]:
            query = f"?after={page[-1]['id']}&limit={limit}"
            target = query if after else f"/api/v2/relative/items{query}"
            headers["Link"] = f'<{target}>; rel="next", </api/v2/relative/items>; rel="first"'
        return JSONResponse({"items": page}, headers=headers)

    @app.get("/latin1/items")
    def latin1_items() -> Response:
        # an ERP answering in ISO-8859-1, and saying so in Content-Type
        body = '[{"id": 1, "store": "Köln", "sku": "SKU-1", "qty": "3"}]'.encode("latin-1")
        return Response(body, media_type="application/json; charset=ISO-8859-1")

    @app.get("/throttled/{key}")
    def throttled(key: str, status: int = 429) -> Response:
        state.hits[f"throttled/{key}"] += 1
        if key not in state.throttled:
            state.throttled.add(key)
            return JSONResponse(
                {"error": "slow down"}, status_code=status, headers={"Retry-After": "1"}
            )
        return JSONResponse({"ok": True, "key": key})

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs((await request.body()).decode())
        if auth != f"Basic {expected}" or form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        state.issued += 1
        value = f"tok-{next(counter)}"
        state.valid_tokens.add(value)
        return JSONResponse({"access_token": value, "token_type": "Bearer", "expires_in": 3600})

    @app.get("/protected")
    def protected(request: Request) -> Response:
        state.hits["protected"] += 1
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        if given not in state.valid_tokens:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"ok": True, "token": given})

    @app.post("/revoke")
    def revoke() -> dict[str, int]:
        revoked = len(state.valid_tokens)
        state.valid_tokens.clear()
        return {"revoked": revoked}

    @app.get("/slow")
    async def slow(seconds: float = 1.0) -> dict[str, bool]:
        state.hits["slow"] += 1
        await asyncio.sleep(min(seconds, 5.0))
        return {"ok": True}

    @app.get("/missing")
    def missing() -> Response:
        state.hits["missing"] += 1
        return JSONResponse({"error": "not found"}, status_code=404)

    @app.post("/events")
    async def events(request: Request) -> Response:
        event = await request.json()
        state.idempotency_keys.append(request.headers.get("idempotency-key", ""))
        if event.get("subject") == "refuse-me":
            return JSONResponse({"error": "unknown store"}, status_code=422)
        state.received.append(event)
        return JSONResponse({"ok": True}, status_code=201)

    @app.get("/whoami")
    def whoami(request: Request) -> dict[str, str]:
        return {
            "authorization": request.headers.get("authorization", ""),
            "token": request.headers.get("x-shopify-access-token", ""),
        }

    @app.get("/")
    def root() -> dict[str, bool]:
        return {"ok": True}

    return app, state


#: the mapping specs the REST tests read the peer's items with
SPECS = Path(__file__).parent / "specs"


def link_source_instance(name: str, url: str, **extra: Any) -> dict[str, Any]:
    """A ``rest`` source instance of crossdock.yaml reading this peer's ``/link/items``: Link
    pagination by 3, resumed by the last item id (``after``); ``extra`` adds instance keys."""
    return {
        "name": name,
        "connector": "rest",
        "config": {
            "base_url": url,
            "specs_dir": str(SPECS),
            "streams": [
                {
                    "name": "stock",
                    "path": "/link/items",
                    "records_path": "items",
                    "pagination": {"style": "link", "page_size": 3},
                    "mapping": "json.partner-stock",
                    "cursor_field": "id",
                    "since_param": "after",
                }
            ],
        },
        **extra,
    }


def write_link_config(folder: Path, url: str, name: str = "partner") -> Path:
    """A crossdock.yaml in ``folder`` with one link source instance ``name`` and its data dir
    (``folder/var``, created); returns the file's path for ``--config``."""
    (folder / "var").mkdir(exist_ok=True)
    config = folder / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(folder / "var"),
                "connector_instances": [link_source_instance(name, url)],
            }
        )
    )
    return config
