"""A NUL byte in any query value or path is refused with 422, never stored, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.ops.conftest import OpsEnv


@pytest.mark.parametrize(
    "url",
    [
        "/ops/api/dead-letters?text=a%00b",
        "/ops/api/dead-letters?connector=%00",
        "/ops/api/dead-letters/counts?stage=x%00",
        "/ops/api/dead-letters/export?text=%00",
        "/subjects/retail.order.created%00/versions",
        "/webhooks/acme%00",
    ],
)
def test_a_nul_byte_anywhere_is_a_422_naming_where(ops_env: OpsEnv, url: str) -> None:
    with TestClient(ops_env.app) as client:
        method = client.post if url.startswith("/webhooks") else client.get
        answer = method(url, headers=ops_env.headers("viewer"))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error_code"] == 422
    assert "NUL character" in body["message"]
    where = f"query.{url.split('?')[1].split('=', maxsplit=1)[0]}:" if "?" in url else "path:"
    assert where in body["message"]


def test_ordinary_filters_still_answer(ops_env: OpsEnv) -> None:
    with TestClient(ops_env.app) as client:
        answer = client.get("/ops/api/dead-letters?text=a%20b", headers=ops_env.headers("viewer"))
    assert answer.status_code == 200
