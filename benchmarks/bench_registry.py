"""Registry validate: requests/s and p99 on one uvicorn worker, against a bare endpoint.

The bare endpoint returns the very bytes the validate endpoint answers, without validating,
from the same app and worker, so the ratio isolates what validation costs. The load comes
from ``wrk`` (Debian's package) in its own process; without it the benchmark is skipped.

Run alone, ``python -m benchmarks.bench_registry serve PORT DATA_DIR`` is the server side.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from benchmarks.http_server import bench_server

SUBJECT = "retail.order.created"


def order_payload(lines: int = 20) -> dict[str, Any]:
    """A realistic web order of ``lines`` lines (~4.8 KB as JSON), valid against v1."""
    price = Decimal("19.99")
    return {
        "order_id": "WEB-2026-000871",
        "channel": "web",
        "ordered_at": "2026-11-20T09:15:00Z",
        "customer_ref": "CUST-0042",
        "currency": "EUR",
        "lines": [
            {
                "line_no": i + 1,
                "sku": f"SKU-{100230 + i}",
                "gtin": "4006381333931",
                "description": f"Organic cotton t-shirt, size M, colour {i}",
                "quantity": {"value": "2", "unit": "C62"},
                "unit_price": {"amount": str(price), "currency": "EUR"},
                "discounts": [],
                "tax": [
                    {"type": "VAT", "rate": "19", "amount": {"amount": "7.60", "currency": "EUR"}}
                ],
            }
            for i in range(lines)
        ],
        "totals": {
            "subtotal": {"amount": str(price * 2 * lines), "currency": "EUR"},
            "discount_total": {"amount": "0", "currency": "EUR"},
            "tax_total": {"amount": str(Decimal("7.60") * lines), "currency": "EUR"},
            "shipping_total": {"amount": "4.95", "currency": "EUR"},
            "grand_total": {"amount": str(price * 2 * lines + Decimal("4.95")), "currency": "EUR"},
        },
    }


def serve(port: int, data_dir: Path) -> None:
    """The server process: the real app plus a bare endpoint answering the same bytes."""
    import uvicorn
    from fastapi import Request, Response

    from hub.api.app import create_app, freeze_startup_heap
    from hub.config import Settings

    app = create_app(Settings(data_dir=data_dir))
    canned: dict[str, bytes] = {}

    @app.post("/bench/bare")
    async def bare(request: Request) -> Response:
        await request.body()  # read the body as the validate endpoint must
        return Response(canned["body"], media_type="application/vnd.schemaregistry.v1+json")

    @app.post("/bench/prime")
    async def prime(request: Request) -> Response:
        canned["body"] = await request.body()
        return Response(b"{}", media_type="application/json")

    freeze_startup_heap()
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)


def _wrk(url: str, body_file: Path, seconds: int) -> tuple[float, float]:
    script = body_file.with_suffix(".lua")
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"local f = io.open({json.dumps(str(body_file))}, 'rb')\n"
        "wrk.body = f:read('*a')\nf:close()\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def run(seconds: int = 4) -> dict[str, float] | None:
    """req/s and p99 (ms) of validate and bare; None when wrk is not installed."""
    if shutil.which("wrk") is None:
        return None
    with bench_server("benchmarks.bench_registry") as (base, root):
        body = json.dumps(order_payload()).encode()
        validate_url = f"{base}/crossdock/subjects/{SUBJECT}/versions/1/validate"
        answer = httpx.post(validate_url, content=body, timeout=5)
        answer.raise_for_status()
        assert answer.json()["valid"] is True, answer.text
        httpx.post(f"{base}/bench/prime", content=answer.content, timeout=5)
        body_file = root / "order.json"
        body_file.write_bytes(body)
        _wrk(validate_url, body_file, 1)  # warm-up: validator compiled and cached
        # alternate the two and keep each one's best round: a noisy neighbour then
        # costs both sides alike instead of whichever ran at the wrong moment
        rounds = [
            (
                _wrk(validate_url, body_file, seconds),
                _wrk(f"{base}/bench/bare", body_file, seconds),
            )
            for _ in range(3)
        ]
        v_rps, v_p99 = max((v for v, _ in rounds), key=lambda r: r[0])
        b_rps, b_p99 = max((b for _, b in rounds), key=lambda r: r[0])
    return {
        "validate_rps": v_rps,
        "validate_p99_ms": v_p99,
        "bare_rps": b_rps,
        "bare_p99_ms": b_p99,
        "ratio": v_rps / b_rps,
        "body_bytes": float(len(body)),
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        print(run())
