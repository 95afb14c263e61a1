"""Writes ``recordings/*.json`` from the public Shopify order fixture (run by hand, not a test).

The recordings are what Shopify's Admin API answers for each conformance scenario; they are
committed so the tests run offline. ``python -m tests.connectors.shopify.record_fixtures``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from mappings import corpus_root

HERE = Path(__file__).parent
SHOP = "https://acme.myshopify.com"
API = f"{SHOP}/admin/api/2024-10"


def _order(base: dict[str, Any], n: int) -> dict[str, Any]:
    order = copy.deepcopy(base)
    order["id"] = 450789469 + n
    order["name"] = f"#{1000 + n}"
    return order


def _page(url: str, orders: list[dict[str, Any]], nxt: str | None, status: int = 200) -> Any:
    headers = {"Content-Type": "application/json"}
    if nxt:
        headers["Link"] = f'<{nxt}>; rel="next"'
    return {
        "request": {"method": "GET", "url": url},
        "response": {"status": status, "headers": headers, "json": {"orders": orders}},
    }


def scenarios() -> dict[str, list[dict[str, Any]]]:
    """Interactions per scenario."""
    base = json.loads(
        corpus_root().joinpath("shopify", "shopify_python_api_order.json").read_text()
    )["order"]
    orders = [_order(base, n) for n in range(1, 6)]
    first = f"{API}/orders.json?status=any&limit=2"
    p2 = f"{API}/orders.json?limit=2&page_info=p2"
    p3 = f"{API}/orders.json?limit=2&page_info=p3"
    after = f"{API}/orders.json?status=any&limit=2&since_id={orders[-1]['id']}"
    shop = {
        "request": {"method": "GET", "url": f"{API}/shop.json"},
        "response": {"status": 200, "json": {"shop": {"name": "Acme"}}},
    }
    good = [
        shop,
        _page(first, orders[0:2], p2),
        _page(p2, orders[2:4], p3),
        _page(p3, orders[4:5], None),
        _page(after, [], None),
    ]
    broken = copy.deepcopy(orders)
    del broken[2]["currency"]
    malformed = [
        shop,
        _page(first, broken[0:2], p2),
        _page(p2, broken[2:4], p3),
        _page(p3, broken[4:5], None),
        _page(after, [], None),
    ]
    busy = {
        "request": {"method": "GET", "url": p2},
        "response": {"status": 503, "headers": {"Retry-After": "1"}, "text": "busy"},
    }
    transient = [good[0], good[1], busy, good[2], good[3], good[4]]
    refused = {
        "request": {"method": "GET", "url": f"{API}/shop.json"},
        "response": {"status": 401, "json": {"errors": "[API] Invalid API key or access token"}},
    }
    missing = {
        "request": {"method": "GET", "url": first},
        "response": {"status": 404, "json": {"errors": "Not Found"}},
    }
    return {
        "good": good,
        "malformed": malformed,
        "transient": transient,
        "bad_credentials": [refused],
        "permanent": [shop, missing],
    }


def main() -> None:
    """Write one file per scenario."""
    for name, interactions in scenarios().items():
        path = HERE / "recordings" / f"{name}.json"
        path.write_text(json.dumps({"interactions": interactions}, indent=1) + "\n")


if __name__ == "__main__":
    main()
