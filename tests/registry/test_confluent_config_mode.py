"""Confluent API reference, "Config (v1)" and "Modes (v1)": bodies, codes and messages."""

from __future__ import annotations

import pytest
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
    # Confluent's PUT answers the request as sent (Karapace: upper-case); the level is kept
    # upper-case
    assert client.put("/config", json={"compatibility": "full"}, headers=ADMIN).json() == {
        "compatibility": "full"
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
    # Confluent answers the request as sent; the mode is kept upper-case
    assert client.put("/mode", json={"mode": "readonly"}, headers=ADMIN).json() == {
        "mode": "readonly"
    }
    assert client.get("/mode").json() == {"mode": "READONLY"}
    error_of(client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN), 422, 42205)
    assert client.delete("/mode", headers=ADMIN).json() == {"mode": "READONLY"}
    assert client.get("/mode").json() == {"mode": "READWRITE"}


def test_invalid_mode_is_42204_with_confluent_message(client: TestClient) -> None:
    for body in ({"mode": "SIDEWAYS"}, {}):
        message = error_of(client.put("/mode/s", json=body, headers=ADMIN), 422, 42204)
        assert message == "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT."


def test_entering_import_mode_needs_no_live_versions_unless_forced(client: TestClient) -> None:
    # the registry holds the seeded canonical subjects, so globally only with force
    message = error_of(client.put("/mode", json={"mode": "IMPORT"}, headers=ADMIN), 422, 42205)
    assert message == "Cannot import since found existing subjects"
    assert client.put("/mode/new", json={"mode": "IMPORT"}, headers=ADMIN).json() == {
        "mode": "IMPORT"
    }
    register(client, "held", A)
    error_of(client.put("/mode/held", json={"mode": "IMPORT"}, headers=ADMIN), 422, 42205)
    forced = client.put("/mode/held?force=true", json={"mode": "IMPORT"}, headers=ADMIN)
    assert forced.json() == {"mode": "IMPORT"}
    assert client.put("/mode?force=true", json={"mode": "IMPORT"}, headers=ADMIN).json() == {
        "mode": "IMPORT"
    }
    assert client.get("/mode").json() == {"mode": "IMPORT"}
    # reads go on in IMPORT
    assert client.get("/subjects/held/versions/latest").status_code == 200


def test_register_in_import_mode_keeps_the_given_id_and_version(client: TestClient) -> None:
    client.put("/mode/imp", json={"mode": "IMPORT"}, headers=ADMIN)
    body = {"schema": '{"type": "string"}', "id": 70000, "version": 3}
    assert client.post("/subjects/imp/versions", json=body, headers=ADMIN).json() == {"id": 70000}
    # again: the same answer, nothing added
    assert client.post("/subjects/imp/versions", json=body, headers=ADMIN).json() == {"id": 70000}
    # an earlier version after a later one, and no compatibility check (integer vs string)
    older = {"schema": '{"type": "integer"}', "id": 69000, "version": 1}
    assert client.post("/subjects/imp/versions", json=older, headers=ADMIN).status_code == 200
    # without a version: the next number
    auto = {"schema": '{"type": "boolean"}', "id": 69500}
    assert client.post("/subjects/imp/versions", json=auto, headers=ADMIN).status_code == 200
    assert client.get("/subjects/imp/versions").json() == [1, 3, 4]
    got = client.get("/subjects/imp/versions/3").json()
    assert (got["id"], got["version"]) == (70000, 3)
    assert client.get("/schemas/ids/69000").json()["schema"] == '{"type":"integer"}'
    # the registry's own ids continue above the imported ones
    client.put("/mode/imp", json={"mode": "READWRITE"}, headers=ADMIN)
    client.put("/config/imp", json={"compatibility": "NONE"}, headers=ADMIN)
    assert register(client, "imp", '{"type": "null"}') == 70001


def test_import_mode_refuses_what_confluent_refuses(client: TestClient) -> None:
    client.put("/mode/imp", json={"mode": "IMPORT"}, headers=ADMIN)
    plain = client.post("/subjects/imp/versions", json={"schema": A}, headers=ADMIN)
    assert error_of(plain, 422, 42205) == "Subject imp is not in read-write mode"
    first = {"schema": '{"type": "string"}', "id": 80000}
    client.post("/subjects/imp/versions", json=first, headers=ADMIN)
    clash = {"schema": '{"type": "integer"}', "id": 80000}
    message = error_of(client.post("/subjects/imp/versions", json=clash, headers=ADMIN), 422, 42205)
    assert message == "Overwrite new schema with id 80000 is not permitted."
    # one id per schema here: the same schema under another id is refused with Confluent's
    # "id does not match" (Confluent itself would keep a second id for it)
    again = {"schema": '{"type": "string"}', "id": 80001}
    message = error_of(client.post("/subjects/imp/versions", json=again, headers=ADMIN), 422, 42207)
    assert message == "Schema already registered with id 80000 instead of input id 80001"


@pytest.mark.parametrize("extra", [{"id": 5}, {"version": 2}, {"id": 0}])
def test_an_id_or_version_outside_import_mode_is_42205(
    client: TestClient, extra: dict[str, int]
) -> None:
    body = {"schema": A, **extra}
    message = error_of(client.post("/subjects/s/versions", json=body, headers=ADMIN), 422, 42205)
    assert message == "Subject s is not in import mode"
    # a negative id and a version not above 0 mean "none", as Confluent reads them
    none = {"schema": A, "id": -1, "version": -1}
    assert client.post("/subjects/s/versions", json=none, headers=ADMIN).status_code == 200


def test_deletes_are_taken_in_import_mode(client: TestClient) -> None:
    register(client, "s", A)
    client.put("/mode/s?force=true", json={"mode": "IMPORT"}, headers=ADMIN)
    assert client.delete("/subjects/s/versions/1", headers=ADMIN).json() == 1


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
