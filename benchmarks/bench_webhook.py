"""Webhook ingress: requests/s with signature check, validation and a durable publish.

One uvicorn worker serves the hub's real app with a Shopify instance; every request is an
``orders/create`` delivery (the public Shopify order fixture, ~6 KB) with its own webhook id,
so each one is verified (HMAC over the raw body, replay window), claimed in the delivery
ledger, mapped and validated into ``retail.order.created``, published to the embedded SQLite
bus (a queue is bound, so the message is stored) and marked done. The reference is a bare
endpoint of the same app and worker that reads the body and answers 202. Route order counts
on this FastAPI (~10 µs a route tried): the app matches the webhook route early, as it does
the registry's validate route; the bare route is added after all of them, as in
``bench_registry``. The load comes from
``wrk`` in its own process; without wrk, from an httpx async client in a subprocess.

``python -m benchmarks.bench_webhook serve PORT DATA_DIR`` is the server side.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import Request, Response

from benchmarks.http_server import bench_server

SECRET = "bench-shopify-secret"
FIXTURE = (
    Path(__file__).parents[2] / "shared" / "corpus" / "shopify" / "shopify_python_api_order.json"
)


def _order_body() -> bytes:
    """The order webhook body: the fixture's order, or a small stand-in when it is absent."""
    if FIXTURE.is_file():
        return json.dumps(json.loads(FIXTURE.read_text())["order"]).encode()
    return json.dumps(
        {
            "id": 1,
            "name": "#1001",
            "created_at": "2026-11-20T09:15:00Z",
            "currency": "EUR",
            "subtotal_price": "39.98",
            "total_price": "39.98",
            "line_items": [
                {"id": 1, "sku": "SKU-1", "title": "T", "quantity": 2, "price": "19.99"}
            ],
        }
    ).encode()


def serve(port: int, data_dir: Path) -> None:
    """The server process: the hub app with a Shopify instance, plus a bare 202 endpoint."""
    import uvicorn

    from hub.api.app import create_app, freeze_startup_heap
    from hub.bus import EventConsumer, event_queue
    from hub.bus.topology import events_exchange
    from hub.config import Settings

    settings = Settings.model_validate(
        {
            "data_dir": data_dir,
            "connectors": [
                {
                    "name": "shop",
                    "transport": "shopify",
                    "config": {
                        "shop": "bench.myshopify.com",
                        "access_token": "unused",
                        "webhook_secret": SECRET,
                    },
                }
            ],
        }
    )
    orders = event_queue("bench-orders", ["retail.#"], events_exchange(settings.exchange))
    EventConsumer(settings.resolved_bus_url, orders).declare()
    app = create_app(settings)

    @app.post("/bench/bare", status_code=202)
    async def bare(request: Request) -> Response:
        await request.body()
        return Response(b'{"status":"accepted"}', status_code=202, media_type="application/json")

    freeze_startup_heap()
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)


def _headers(body: bytes) -> dict[str, str]:
    from connectors.rest.signatures import sign_shopify

    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign_shopify(SECRET, body),
        "X-Shopify-Shop-Domain": "bench.myshopify.com",
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def _wrk(url: str, body_file: Path, headers: dict[str, str], seconds: int, tag: str) -> float:
    script = body_file.with_suffix(f".{tag}.lua")
    lines = [f"local f = io.open({json.dumps(str(body_file))}, 'rb')", "local body = f:read('*a')"]
    lines += ["f:close()", "local n = 0", "local h = {}"]
    lines += [f"h[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    lines += [
        "request = function()",
        "  n = n + 1",
        f'  h["X-Shopify-Webhook-Id"] = "{tag}-" .. n',
        '  return wrk.format("POST", nil, h, body)',
        "end",
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found is not None, out
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    assert non2xx is None, f"errors under load: {out}"
    return float(found.group(1))


_HTTPX_LOAD = """
import asyncio, sys, time, json, httpx
url, body_file, seconds, tag = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
headers = json.loads(sys.argv[5])
body = open(body_file, 'rb').read()
async def main():
    done = 0
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16)) as client:
        async def worker(w):
            nonlocal done
            n = 0
            while time.monotonic() < stop:
                n += 1
                h = dict(headers, **{"X-Shopify-Webhook-Id": f"{tag}-{w}-{n}"})
                r = await client.post(url, content=body, headers=h)
                assert r.status_code in (200, 202), r.text
                done += 1
        start = time.monotonic()
        await asyncio.gather(*(worker(w) for w in range(16)))
        print(done / (time.monotonic() - start))
asyncio.run(main())
"""


def _httpx_load(
    url: str, body_file: Path, headers: dict[str, str], seconds: int, tag: str
) -> float:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _HTTPX_LOAD,
            url,
            str(body_file),
            str(seconds),
            tag,
            json.dumps(headers),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip())


def measure(seconds: int = 4, rounds: int = 3) -> dict[str, Any]:
    """req/s of the ingress and of the bare endpoint, best of ``rounds`` each, alternated."""
    load = _wrk if shutil.which("wrk") else _httpx_load
    with bench_server("benchmarks.bench_webhook") as (base, root):
        body = _order_body()
        headers = _headers(body)
        hook = f"{base}/webhooks/shop"
        check = httpx.post(hook, content=body, headers={**headers, "X-Shopify-Webhook-Id": "probe"})
        assert check.status_code == 202, check.text
        body_file = root / "order.json"
        body_file.write_bytes(body)
        load(hook, body_file, headers, 1, "warm")
        results = [
            (
                load(hook, body_file, headers, seconds, f"r{i}"),
                load(f"{base}/bench/bare", body_file, headers, seconds, f"b{i}"),
            )
            for i in range(rounds)
        ]
    ingress = max(r for r, _ in results)
    bare = max(b for _, b in results)
    return {
        "ingress_rps": ingress,
        "bare_rps": bare,
        "ratio": ingress / bare,
        "body_bytes": len(body),
        "load": "wrk" if load is _wrk else "httpx",
    }


def run() -> list[tuple[str, str, str, str]]:
    """Rows for BENCHMARKS.md: (what, measured, reference, verdict)."""
    m = measure()
    verdict = "ok" if m["ratio"] >= 0.5 else "below goal"
    return [
        (
            f"webhook ingress, Shopify orders/create {m['body_bytes']} B: HMAC + replay window, "
            f"ledger, mapping + validation, confirmed publish to the SQLite bus "
            f"(1 uvicorn worker, load: {m['load']}, 16 connections)",
            f"{m['ingress_rps']:.0f} req/s",
            f"bare FastAPI 202: {m['bare_rps']:.0f} req/s",
            f"{m['ratio']:.2f}× (goal ≥ 0.5×) {verdict}",
        )
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        for row in run():
            print(" | ".join(row))
