"""Confluent API reference, "Config (v1)" and "Modes (v1)": bodies, codes and messages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.registry.conftest import ADMIN, error_of, json_schema, register

A = json_schema({"a": {"type": "string"}})
INVALID_LEVEL = (
    "Invalid compatibility level. Valid values are none, backward, forward, full, "
    "backward_transitive, forward_transitive, and full_transitive"
)


# -- Config (v1) --------------------------------------------------------------------------------
def test_global_compatibility_level_get_update_delete(client: TestClient) -> None:
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert client.put("/config", json={"compatibility": "full"}, headers=ADMIN).json() == {
        "compatibility": "FULL"
    }
    assert client.get("/config/").json() == {"compatibilityLevel": "FULL"}
    assert client.delete("/config", headers=ADMIN).json() == {"compatibilityLevel": "FULL"}
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_invalid_compatibility_level_is_42203_with_confluent_message(client: TestClient) -> None:
    for body in ({"compatibility": "SIDEWAYS"}, {}):
        message = error_of(client.put("/config", json=body, headers=ADMIN), 422, 42203)
        assert message == INVALID_LEVEL
    error_of(client.put("/config/s", json={"compatibility": "x"}, headers=ADMIN), 422, 42203)


def test_subject_compatibility_level(client: TestClient) -> None:
    register(client, "s", A)
    message = error_of(client.get("/config/s"), 404, 40408)
    assert message == "Subject 's' does not have subject-level compatibility configured"
    error_of(client.get("/config/s?defaultToGlobal=false"), 404, 40408)
    assert client.get("/config/s?defaultToGlobal=true").json() == {"compatibilityLevel": "BACKWARD"}
    put = client.put("/config/s", json={"compatibility": "NONE"}, headers=ADMIN)
    assert put.json() == {"compatibility": "NONE"}
    assert client.get("/config/s").json() == {"compatibilityLevel": "NONE"}
    assert client.delete("/config/s", headers=ADMIN).json() == {"compatibilityLevel": "NONE"}
    error_of(client.get("/config/s"), 404, 40408)


def test_a_subject_level_may_be_set_before_the_subject_exists(client: TestClient) -> None:
    client.put("/config/later", json={"compatibility": "FULL"}, headers=ADMIN)
    error_of(client.get("/subjects/later/versions"), 404, 40401)
    assert client.get("/config/later").json() == {"compatibilityLevel": "FULL"}


def test_deleting_an_unset_subject_level_is_40401_as_confluent(client: TestClient) -> None:
    message = error_of(client.delete("/config/s", headers=ADMIN), 404, 40401)
    assert message == "Subject 's' not found."


# -- Modes (v1) ---------------------------------------------------------------------------------
def test_global_mode_get_update_delete(client: TestClient) -> None:
    assert client.get("/mode").json() == {"mode": "READWRITE"}
    assert client.put("/mode", json={"mode": "readonly"}, headers=ADMIN).json() == {
        "mode": "READONLY"
    }
    error_of(client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN), 422, 42205)
    assert client.delete("/mode", headers=ADMIN).json() == {"mode": "READONLY"}
    assert client.get("/mode").json() == {"mode": "READWRITE"}


def test_invalid_and_import_modes_are_42204(client: TestClient) -> None:
    for mode in ("SIDEWAYS", "IMPORT"):
        error_of(client.put("/mode", json={"mode": mode}, headers=ADMIN), 422, 42204)
    error_of(client.put("/mode/s", json={}, headers=ADMIN), 422, 42204)


def test_subject_mode(client: TestClient) -> None:
    # Karapace answers the global mode for a known subject and 40401 for an unknown one;
    # Confluent's getMode answers 40409 without a subject-level mode, which this follows.
    message = error_of(client.get("/mode/s"), 404, 40409)
    assert message == "Subject 's' does not have subject-level mode configured"
    assert client.get("/mode/s?defaultToGlobal=true").json() == {"mode": "READWRITE"}
    client.put("/mode/s", json={"mode": "READONLY"}, headers=ADMIN)
    error_of(client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN), 422, 42205)
    assert client.delete("/mode/s", headers=ADMIN).json() == {"mode": "READONLY"}
    register(client, "s", A)
    message = error_of(client.delete("/mode/s", headers=ADMIN), 404, 40401)
    assert message == "Subject 's' not found."


def test_global_readonly_override_wins_over_a_subject_mode(client: TestClient) -> None:
    client.put("/mode/s", json={"mode": "READWRITE"}, headers=ADMIN)
    client.put("/mode", json={"mode": "READONLY_OVERRIDE"}, headers=ADMIN)
    error_of(client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN), 422, 42205)
    assert client.get("/mode/s").json() == {"mode": "READONLY_OVERRIDE"}
    client.put("/mode", json={"mode": "READONLY"}, headers=ADMIN)
    assert client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN).json()["id"]
    client.put("/mode", json={"mode": "READWRITE"}, headers=ADMIN)


def test_deletes_in_read_only_mode_are_42205(client: TestClient) -> None:
    register(client, "s", A)
    client.put("/mode/s", json={"mode": "READONLY"}, headers=ADMIN)
    error_of(client.delete("/subjects/s/versions/1", headers=ADMIN), 422, 42205)
    error_of(client.delete("/subjects/s", headers=ADMIN), 422, 42205)
