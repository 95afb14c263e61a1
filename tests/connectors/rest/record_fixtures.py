"""Writes ``recordings/*.json`` for the REST source's conformance test (run by hand, not a test).

``python -m tests.connectors.rest.record_fixtures``
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
BASE = "https://partner.example.test"


def _items() -> list[dict[str, Any]]:
    return [
        {"id": n, "store": "S001", "sku": f"SKU-{n}", "qty": str(n), "at": "2026-11-23T08:00:00Z"}
        for n in range(1, 6)
    ]


def _page(url: str, items: list[dict[str, Any]], nxt: str | None) -> dict[str, Any]:
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else {}
    return {
        "request": {"method": "GET", "url": url},
        "response": {"status": 200, "headers": headers, "json": {"items": items}},
    }


def scenarios() -> dict[str, list[dict[str, Any]]]:
    """Interactions per scenario (Link-header pages of two, then since_id for newer items)."""
    items = _items()
    first, p2, p3 = (
        f"{BASE}/stock?limit=2",
        f"{BASE}/stock?limit=2&after=2",
        f"{BASE}/stock?limit=2&after=4",
    )
    newer = _page(f"{BASE}/stock?limit=2&since_id=5", [], None)
    probe = {"request": {"method": "GET", "url": f"{BASE}/"}, "response": {"json": {"ok": True}}}
    good = [
        probe,
        _page(first, items[:2], p2),
        _page(p2, items[2:4], p3),
        _page(p3, items[4:], None),
        newer,
    ]
    broken = [dict(i) for i in items]
    broken[1]["qty"] = "seven"
    malformed = [probe, _page(first, broken[:2], p2), _page(p2, broken[2:4], p3)]
    malformed += [_page(p3, broken[4:], None), newer]
    timeout_then_ok = {
        "request": {"method": "GET", "url": p2},
        "response": {"status": 429, "headers": {"Retry-After": "2"}, "text": "slow down"},
    }
    return {
        "good": good,
        "malformed": malformed,
        "transient": [probe, good[1], timeout_then_ok, *good[2:]],
        "bad_credentials": [
            {
                "request": {"method": "GET", "url": f"{BASE}/"},
                "response": {"status": 403, "json": {}},
            }
        ],
        "permanent": [
            probe,
            {"request": {"method": "GET", "url": first}, "response": {"status": 400}},
        ],
    }


def main() -> None:
    """Write one file per scenario."""
    (HERE / "recordings").mkdir(exist_ok=True)
    for name, interactions in scenarios().items():
        path = HERE / "recordings" / f"{name}.json"
        path.write_text(json.dumps({"interactions": interactions}, indent=1) + "\n")


if __name__ == "__main__":
    main()
