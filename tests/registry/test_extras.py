"""Crossdock's extras: validate a payload, convert an event between versions, diff versions."""

from __future__ import annotations

from fastapi.testclient import TestClient

from canonical import convert
from tests.canonical.payloads import inventory_count, order
from tests.registry.conftest import ADMIN, json_schema

VALIDATE = "/crossdock/subjects/retail.inventory.adjusted/versions/{}/validate"


def test_a_valid_payload_is_valid(client: TestClient) -> None:
    r = client.post(VALIDATE.format(1), json=inventory_count())
    body = r.json()
    assert r.status_code == 200
    assert (body["valid"], body["errors"], body["version"]) == (True, [], 1)


def test_violations_come_as_json_pointers(client: TestClient) -> None:
    payload = inventory_count() | {"sku": 42}
    payload["counted_quantity"] = {"value": "7", "unit": "NOT-A-UNIT"}
    del payload["reason"]
    body = client.post(VALIDATE.format(1), json=payload).json()
    assert body["valid"] is False
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/sku", ""} <= pointers  # "" is the root, where `reason` is missing
    # counted_quantity is Quantity-or-null: the anyOf fails at the property itself
    assert any(p.startswith("/counted_quantity") for p in pointers)
    assert any(e["schema_pointer"].endswith("/required") for e in body["errors"])


def test_validate_errors(client: TestClient) -> None:
    assert client.post(VALIDATE.format(9), json={}).json()["error_code"] == 40402
    missing = "/crossdock/subjects/nope/versions/1/validate"
    assert client.post(missing, json={}).json()["error_code"] == 40401
    assert client.post(VALIDATE.format("x"), json={}).json()["error_code"] == 42202
    r = client.post(VALIDATE.format(1), content=b"{nope")
    assert (r.status_code, r.json()["error_code"]) == (422, 422)


def test_validate_sees_a_new_latest_version(client: TestClient) -> None:
    url = "/crossdock/subjects/fresh/versions/latest/validate"
    client.post("/subjects/fresh/versions", json={"schema": json_schema({})}, headers=ADMIN)
    assert client.post(url, json={"a": 1}).json()["valid"] is False
    open_schema = json_schema({"a": {"type": "integer"}})
    client.put("/config/fresh", json={"compatibility": "NONE"}, headers=ADMIN)
    client.post("/subjects/fresh/versions", json={"schema": open_schema}, headers=ADMIN)
    assert client.post(url, json={"a": 1}).json()["valid"] is True


def test_convert_up_and_down_through_the_casters(client: TestClient) -> None:
    url = "/crossdock/subjects/retail.order.created/convert"
    up = client.post(url, json={"data": order(), "from_version": 1, "to_version": 2})
    assert up.status_code == 200, up.text
    assert up.json()["data"] == convert("retail.order.created", order(), 1, 2)
    down = client.post(url, json={"data": up.json()["data"], "from_version": 2, "to_version": 1})
    assert down.status_code == 200
    assert isinstance(down.json()["lossy_fields"], list)
    assert down.json()["lossy_fields"]  # v2 → v1 drops the fields v1 cannot hold


def test_convert_errors(client: TestClient) -> None:
    url = "/crossdock/subjects/{}/convert"
    body = {"data": order(), "from_version": 1, "to_version": 2}
    assert client.post(url.format("nope"), json=body).json()["error_code"] == 40401
    far = body | {"to_version": 7}
    assert client.post(url.format("retail.order.created"), json=far).json()["error_code"] == 40402
    bad = body | {"data": {"order_id": 5}}
    r = client.post(url.format("retail.order.created"), json=bad)
    assert (r.status_code, r.json()["error_code"]) == (422, 422)


def test_diff_between_versions_is_readable(client: TestClient) -> None:
    r = client.get("/crossdock/subjects/retail.order.created/diff?from=1&to=2")
    body = r.json()
    assert r.status_code == 200
    assert (body["from_version"], body["to_version"]) == (1, 2)
    texts = [c["text"] for c in body["changes"]]
    assert any("/properties/loyalty_id" in t and t.startswith("added") for t in texts)
    assert all(isinstance(m, str) for m in body["backward"] + body["forward"])


def test_diff_of_identical_versions_is_empty(client: TestClient) -> None:
    body = client.get("/crossdock/subjects/retail.order.created/diff?from=2&to=2").json()
    assert (body["changes"], body["backward"], body["forward"]) == ([], [], [])
