"""Confluent API reference, "Compatibility (v1)": codes, order of checks and bodies."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.registry.conftest import ADMIN, error_of, json_schema, register

A = json_schema({"a": {"type": "string"}})
NARROWED = json_schema({"a": {"type": "integer"}})


# -- Test schema compatibility against a particular schema subject-version ----------------------
def test_compatibility_with_a_version_answers_is_compatible_only(client: TestClient) -> None:
    register(client, "s", A)
    ok = client.post("/compatibility/subjects/s/versions/latest", json={"schema": A})
    assert ok.json() == {"is_compatible": True}
    bad = client.post("/compatibility/subjects/s/versions/1", json={"schema": NARROWED})
    assert bad.json() == {"is_compatible": False}


def test_verbose_compatibility_lists_the_reasons_and_the_level(client: TestClient) -> None:
    register(client, "s", A)
    body = client.post(
        "/compatibility/subjects/s/versions/1?verbose=true", json={"schema": NARROWED}
    ).json()
    assert body["is_compatible"] is False
    assert any("/properties/a" in m for m in body["messages"])
    assert body["messages"][-1] == "{validateFields: 'false', compatibility: 'BACKWARD'}"
    ok = client.post("/compatibility/subjects/s/versions/1?verbose=true", json={"schema": A})
    assert ok.json() == {"is_compatible": True, "messages": []}


def test_compatibility_with_a_missing_version_is_40402_even_for_a_missing_subject(
    client: TestClient,
) -> None:
    # Confluent looks the version up before anything else: 40402 whether or not the subject
    # exists, and before the schema is even parsed (Karapace's tests agree).
    message = error_of(
        client.post("/compatibility/subjects/nope/versions/1", json={"schema": A}), 404, 40402
    )
    assert message == "Version 1 not found."
    avro = {"schema": '{"type": "record"}', "schemaType": "AVRO"}
    error_of(client.post("/compatibility/subjects/nope/versions/1", json=avro), 404, 40402)
    register(client, "s", A)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    error_of(client.post("/compatibility/subjects/s/versions/1", json={"schema": A}), 404, 40402)


def test_latest_of_an_empty_subject_is_compatible(client: TestClient) -> None:
    r = client.post("/compatibility/subjects/nope/versions/latest", json={"schema": A})
    assert r.json() == {"is_compatible": True}


def test_compatibility_errors(client: TestClient) -> None:
    register(client, "s", A)
    error_of(client.post("/compatibility/subjects/s/versions/0", json={"schema": A}), 422, 42202)
    message = error_of(
        client.post("/compatibility/subjects/s/versions/latest", json={"schema": "{x"}), 422, 42201
    )
    assert "not JSON" in message
    empty = client.post("/compatibility/subjects/s/versions/latest", json={})
    assert error_of(empty, 422, 42201) == "Empty schema"
    typed = {"schema": A, "schemaType": "AVROO"}
    error_of(client.post("/compatibility/subjects/s/versions/latest", json=typed), 422, 42201)


def test_verbose_compatibility_of_an_invalid_schema_is_incompatible_with_the_reason(
    client: TestClient,
) -> None:
    register(client, "s", A)
    r = client.post("/compatibility/subjects/s/versions/latest?verbose=true", json={"schema": "{x"})
    body = r.json()
    assert (r.status_code, body["is_compatible"]) == (200, False)
    assert "not JSON" in body["messages"][0]


# -- Test schema compatibility against all schemas under a subject ------------------------------
def test_compatibility_with_all_versions_follows_the_level(client: TestClient) -> None:
    client.put("/config/s", json={"compatibility": "BACKWARD_TRANSITIVE"}, headers=ADMIN)
    register(client, "s", A)
    client.put("/config/s", json={"compatibility": "NONE"}, headers=ADMIN)
    register(client, "s", NARROWED)
    client.put("/config/s", json={"compatibility": "BACKWARD_TRANSITIVE"}, headers=ADMIN)
    # compatible with the latest (NARROWED) but not with version 1
    latest = client.post("/compatibility/subjects/s/versions/latest", json={"schema": NARROWED})
    assert latest.json() == {"is_compatible": True}
    every = client.post("/compatibility/subjects/s/versions", json={"schema": NARROWED})
    assert every.json() == {"is_compatible": False}
    unknown = client.post("/compatibility/subjects/nope/versions", json={"schema": A})
    assert unknown.json() == {"is_compatible": True}
