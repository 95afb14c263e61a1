"""Confluent's status codes, error codes and bodies, through the FastAPI test client."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.registry.conftest import ADMIN, json_schema

VND = "application/vnd.schemaregistry.v1+json"


def _register(client: TestClient, subject: str, schema: str) -> int:
    response = client.post(f"/subjects/{subject}/versions", json={"schema": schema}, headers=ADMIN)
    assert response.status_code == 200, response.text
    schema_id: int = response.json()["id"]
    return schema_id


def _error(response: object, status: int, code: int) -> str:
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == code
    message: str = body["message"]
    return message


def test_every_read_of_a_schema_carries_schema_type(client: TestClient) -> None:
    schema_id = _register(client, "s", json_schema({"a": {"type": "string"}}))
    reads = [
        client.get("/subjects/s/versions/1"),
        client.get("/subjects/s/versions/latest"),
        client.get(f"/schemas/ids/{schema_id}"),
        client.post("/subjects/s", json={"schema": json_schema({"a": {"type": "string"}})}),
    ]
    for r in reads:
        assert r.status_code == 200
        assert r.json()["schemaType"] == "JSON"
        assert r.headers["content-type"] == VND


def test_registry_media_type_is_accepted(client: TestClient) -> None:
    body = json.dumps({"schema": json_schema({"a": {"type": "string"}})})
    r = client.post("/subjects/s/versions", content=body, headers={**ADMIN, "Content-Type": VND})
    assert r.status_code == 200
    assert r.headers["content-type"] == VND


def test_unknown_request_fields_are_accepted_and_not_echoed(client: TestClient) -> None:
    schema = json_schema({"a": {"type": "string"}})
    r = client.post(
        "/subjects/s/versions",
        json={"schema": schema, "schemaType": "JSON", "metadata": {"p": 1}, "ruleSet": {}},
        headers=ADMIN,
    )
    assert r.status_code == 200
    assert set(r.json()) == {"id"}
    assert set(client.get("/subjects/s/versions/1").json()) == {
        "subject", "version", "id", "schemaType", "schema"
    }  # fmt: skip


def test_not_found_codes(client: TestClient) -> None:
    _register(client, "s", json_schema({}))
    _error(client.get("/subjects/nope/versions"), 404, 40401)
    _error(client.get("/subjects/nope/versions/1"), 404, 40401)
    _error(client.get("/subjects/s/versions/7"), 404, 40402)
    _error(client.get("/schemas/ids/999999"), 404, 40403)
    _error(client.post("/subjects/s", json={"schema": json_schema({"z": {}})}), 404, 40403)
    _error(client.get("/config/s"), 404, 40408)
    _error(client.get("/mode/s"), 404, 40409)
    assert client.get("/config/s?defaultToGlobal=true").json() == {"compatibilityLevel": "BACKWARD"}


def test_associations_answer_404_for_new_serializers(client: TestClient) -> None:
    r = client.get("/associations/resources/-/orders")
    assert r.status_code == 404
    assert r.json()["error_code"] == 404


@pytest.mark.parametrize("version", ["0", "-2", "abc", "2147483648", "1.5"])
def test_invalid_version_is_42202(client: TestClient, version: str) -> None:
    _register(client, "s", json_schema({}))
    _error(client.get(f"/subjects/s/versions/{version}"), 422, 42202)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"schema": "{not json"}, "not JSON"),
        ({"schema": "[1, 2]"}, "object or a boolean"),
        ({"schema": '{"type": "record", "name": "x", "fields": []}'}, "JSON Schema only"),
        ({"schema": '{"type": "string"}', "schemaType": "AVRO"}, "JSON Schema only"),
        ({"schema": '{"type": "string"}', "schemaType": "PROTOBUF"}, "PROTOBUF"),
        (
            {"schema": "{}", "references": [{"name": "a", "subject": "b", "version": 1}]},
            "reference",
        ),
    ],
)
def test_invalid_schema_is_42201_with_a_clear_message(
    client: TestClient, body: dict[str, object], needle: str
) -> None:
    message = _error(client.post("/subjects/s/versions", json=body, headers=ADMIN), 422, 42201)
    assert needle in message


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post(
        "/subjects/s/versions",
        content=b"{",
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    _error(r, 400, 400)


def test_incompatible_registration_is_409_with_path_rule_and_hint(client: TestClient) -> None:
    _register(client, "s", json_schema({"a": {"type": "string"}}))
    r = client.post(
        "/subjects/s/versions",
        json={"schema": json_schema({"a": {"type": "string"}, "b": {}}, required=["b"])},
        headers=ADMIN,
    )
    message = _error(r, 409, 40901)
    assert "BACKWARD" in message
    assert "/required" in message or "/properties/b" in message
    assert "[" in message  # the rule's name, e.g. [required_added]
    assert "fix:" in message


def test_adding_a_property_to_an_open_content_model_is_incompatible_by_default(
    client: TestClient,
) -> None:
    _register(client, "s", json_schema({"a": {"type": "string"}}, closed=False))
    r = client.post(
        "/subjects/s/versions",
        json={
            "schema": json_schema({"a": {"type": "string"}, "b": {"type": "integer"}}, closed=False)
        },
        headers=ADMIN,
    )
    message = _error(r, 409, 40901)
    assert "/properties/b" in message or "additionalProperties" in message


def test_verbose_compatibility_returns_messages(client: TestClient) -> None:
    _register(client, "s", json_schema({"a": {"type": "string"}}))
    narrowed = {"schema": json_schema({"a": {"type": "integer"}})}
    quiet = client.post("/compatibility/subjects/s/versions/latest", json=narrowed)
    assert quiet.json() == {"is_compatible": False}
    loud = client.post("/compatibility/subjects/s/versions/1?verbose=true", json=narrowed)
    body = loud.json()
    assert body["is_compatible"] is False
    assert any("/properties/a" in m for m in body["messages"])
    ok = client.post(
        "/compatibility/subjects/new-subject/versions/latest?verbose=true", json=narrowed
    )
    assert ok.json() == {"is_compatible": True, "messages": []}
    _error(client.post("/compatibility/subjects/s/versions/9", json=narrowed), 404, 40402)


def test_soft_then_hard_delete_order(client: TestClient) -> None:
    first = _register(client, "s", json_schema({"a": {"type": "string"}}))
    _register(client, "s", json_schema({"a": {"type": "string"}, "b": {"type": "string"}}))

    _error(client.delete("/subjects/s/versions/1?permanent=true", headers=ADMIN), 404, 40407)
    assert client.delete("/subjects/s/versions/1", headers=ADMIN).json() == 1
    _error(client.delete("/subjects/s/versions/1", headers=ADMIN), 404, 40406)
    _error(client.get("/subjects/s/versions/1"), 404, 40402)
    assert client.get("/subjects/s/versions/1?deleted=true").json()["id"] == first
    assert client.get(f"/schemas/ids/{first}").status_code == 200  # ids outlive soft deletes
    assert client.get("/subjects/s/versions").json() == [2]
    assert client.get("/subjects/s/versions?deleted=true").json() == [1, 2]

    _error(client.delete("/subjects/s?permanent=true", headers=ADMIN), 404, 40405)
    assert client.delete("/subjects/s", headers=ADMIN).json() == [2]
    _error(client.delete("/subjects/s", headers=ADMIN), 404, 40404)
    assert "s" not in client.get("/subjects").json()
    assert "s" in client.get("/subjects?deleted=true").json()
    assert client.get("/subjects?deletedOnly=true").json() == ["s"]
    assert client.delete("/subjects/s?permanent=true", headers=ADMIN).json() == [1, 2]
    _error(client.get("/subjects/s/versions?deleted=true"), 404, 40401)
    _error(client.get(f"/schemas/ids/{first}"), 404, 40403)


def test_version_numbers_are_not_reused_after_a_soft_delete(client: TestClient) -> None:
    _register(client, "s", json_schema({"a": {"type": "string"}}))
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    _register(client, "s", json_schema({"a": {"type": "string"}}))
    assert client.get("/subjects/s/versions").json() == [2]


def test_same_schema_in_two_subjects_shares_one_global_id(client: TestClient) -> None:
    # Whitespace is not part of a schema; key order is (Confluent keeps it: another order
    # is one schema only with normalize=true).
    spaced = '{ "type" : "object",  "additionalProperties": false }'
    compact = json.dumps({"type": "object", "additionalProperties": False})
    a = _register(client, "a", spaced)
    b = _register(client, "b", compact)
    assert a == b
    assert client.get(f"/schemas/ids/{a}/versions").json() == [
        {"subject": "a", "version": 1},
        {"subject": "b", "version": 1},
    ]
    assert client.get(f"/schemas/ids/{a}/subjects").json() == ["a", "b"]


def test_config_and_mode(client: TestClient) -> None:
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    # Confluent answers the request as sent; the level is kept upper-case
    put = client.put("/config", json={"compatibility": "full_transitive"}, headers=ADMIN)
    assert put.json() == {"compatibility": "full_transitive"}
    assert client.delete("/config", headers=ADMIN).json() == {
        "compatibilityLevel": "FULL_TRANSITIVE"
    }
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    _error(client.put("/config", json={"compatibility": "SIDEWAYS"}, headers=ADMIN), 422, 42203)
    client.put("/config/s", json={"compatibility": "NONE"}, headers=ADMIN)
    assert client.get("/config/s").json() == {"compatibilityLevel": "NONE"}
    assert client.delete("/config/s", headers=ADMIN).json() == {"compatibilityLevel": "NONE"}

    assert client.get("/mode").json() == {"mode": "READWRITE"}
    # the seeded subjects hold live versions: IMPORT needs force
    _error(client.put("/mode", json={"mode": "IMPORT"}, headers=ADMIN), 422, 42205)
    assert client.put("/mode", json={"mode": "READONLY"}, headers=ADMIN).json() == {
        "mode": "READONLY"
    }
    r = client.post("/subjects/s/versions", json={"schema": "{}"}, headers=ADMIN)
    _error(r, 422, 42205)
    client.put("/mode/s", json={"mode": "READWRITE"}, headers=ADMIN)
    assert client.get("/mode/s").json() == {"mode": "READWRITE"}
    assert client.post("/subjects/s/versions", json={"schema": "{}"}, headers=ADMIN).json()
    assert client.delete("/mode/s", headers=ADMIN).json() == {"mode": "READWRITE"}
    client.put("/mode", json={"mode": "READWRITE"}, headers=ADMIN)


def test_unknown_route_answers_in_confluent_shape(client: TestClient) -> None:
    _error(client.get("/no/such/thing"), 404, 404)
