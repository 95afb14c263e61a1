"""Confluent API reference, "Subjects (v1)": one test group per operation, codes and messages.

Expected answers are Confluent's (its API reference, and its registry's resources and
``Errors.java`` where the reference is silent). Where Karapace's integration tests expect
otherwise, the test says which behaviour it follows.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.registry.conftest import ADMIN, error_of, json_schema, register

STRING = json.dumps({"type": "string"})
A = json_schema({"a": {"type": "string"}})
AB = json_schema({"a": {"type": "string"}, "b": {"type": "string"}})


# -- List subjects ------------------------------------------------------------------------------
def test_list_subjects_filters_by_prefix_and_deleted_and_pages(client: TestClient) -> None:
    for name in ("p-a", "p-b", "p-c", "q-a"):
        register(client, name, A)
    client.delete("/subjects/p-b", headers=ADMIN)
    assert client.get("/subjects?subjectPrefix=p-").json() == ["p-a", "p-c"]
    assert client.get("/subjects?subjectPrefix=p-&deleted=true").json() == ["p-a", "p-b", "p-c"]
    assert client.get("/subjects?subjectPrefix=p-&deletedOnly=true").json() == ["p-b"]
    # Confluent: with both, deleted only
    both = "/subjects?subjectPrefix=p-&deleted=true&deletedOnly=true"
    assert client.get(both).json() == ["p-b"]
    assert client.get("/subjects?subjectPrefix=p-&offset=1&limit=1").json() == ["p-c"]
    assert client.get("/subjects?subjectPrefix=p-&limit=-1").json() == ["p-a", "p-c"]


def test_list_subjects_with_a_trailing_slash(client: TestClient) -> None:
    register(client, "s", A)
    assert "s" in client.get("/subjects/").json()


# -- List versions under subject ----------------------------------------------------------------
def test_list_versions_under_subject_with_deleted_and_deleted_only(client: TestClient) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    assert client.get("/subjects/s/versions").json() == [2]
    assert client.get("/subjects/s/versions?deleted=true").json() == [1, 2]
    assert client.get("/subjects/s/versions?deletedOnly=true").json() == [1]
    assert client.get("/subjects/s/versions?deleted=true&offset=1&limit=5").json() == [2]


def test_list_versions_of_an_unknown_or_wholly_deleted_subject_is_40401(
    client: TestClient,
) -> None:
    message = error_of(client.get("/subjects/nope/versions"), 404, 40401)
    assert message == "Subject 'nope' not found."
    register(client, "s", A)
    client.delete("/subjects/s", headers=ADMIN)
    error_of(client.get("/subjects/s/versions"), 404, 40401)
    assert client.get("/subjects/s/versions?deleted=true").json() == [1]


# -- Register schema under a subject ------------------------------------------------------------
def test_register_answers_only_the_id_and_reuses_it(client: TestClient) -> None:
    r = client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN)
    assert r.json() == {"id": r.json()["id"]}
    again = client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN)
    assert again.json() == r.json()
    assert client.get("/subjects/s/versions").json() == [1]


@pytest.mark.parametrize(
    "subject", ["a/b", "a/b/versions", 'quote"', "brace{", "colon:", "close}", "apos'", "sp ace"]
)
def test_subject_names_may_hold_any_character_percent_encoded(
    client: TestClient, subject: str
) -> None:
    path = quote(subject, safe="")
    schema_id = register(client, subject, A)
    assert subject in client.get("/subjects").json()
    assert client.get(f"/subjects/{path}/versions").json() == [1]
    got = client.get(f"/subjects/{path}/versions/latest").json()
    assert (got["subject"], got["id"]) == (subject, schema_id)
    assert client.post(f"/subjects/{path}", json={"schema": A}).json()["version"] == 1
    assert client.get(f"/config/{path}?defaultToGlobal=true").status_code == 200
    assert client.delete(f"/subjects/{path}", headers=ADMIN).json() == [1]


@pytest.mark.parametrize("subject", ["__GLOBAL", "__EMPTY", "a\u0001b", "tab\tname", "c1\u0085"])
def test_register_under_an_invalid_subject_is_42208(client: TestClient, subject: str) -> None:
    path = f"/subjects/{quote(subject, safe='')}/versions"
    message = error_of(client.post(path, json={"schema": A}, headers=ADMIN), 422, 42208)
    assert message == f"The specified subject '{subject}' is not a valid."


def test_subject_name_rules_of_config_and_mode(client: TestClient) -> None:
    # Confluent's config route refuses the reserved names too; its mode route control
    # characters only
    level = {"compatibility": "NONE"}
    error_of(client.put("/config/__GLOBAL", json=level, headers=ADMIN), 422, 42208)
    error_of(client.put("/mode/a%01b", json={"mode": "READONLY"}, headers=ADMIN), 422, 42208)
    reserved = client.put("/mode/__EMPTY", json={"mode": "READONLY"}, headers=ADMIN)
    assert reserved.json() == {"mode": "READONLY"}


def test_a_blank_subject_name_is_allowed_as_confluent(client: TestClient) -> None:
    register(client, " ", A)
    assert client.get("/subjects/%20/versions").json() == [1]


def test_register_without_a_schema_is_42201_empty_schema(client: TestClient) -> None:
    message = error_of(client.post("/subjects/s/versions", json={}, headers=ADMIN), 422, 42201)
    assert message == "Empty schema"


def test_register_without_a_schema_reuses_the_latest_version_as_confluent(
    client: TestClient,
) -> None:
    first = register(client, "s", A)
    r = client.post("/subjects/s/versions", json={}, headers=ADMIN)
    assert r.json() == {"id": first}


@pytest.mark.parametrize("schema_type", ["AVRO", "PROTOBUF", "AVROO"])
def test_register_of_another_schema_type_is_42201(client: TestClient, schema_type: str) -> None:
    # Karapace answers 422 with error_code 422 for an unknown type; Confluent's
    # InvalidSchemaException is 42201, which this follows.
    body = {"schema": STRING, "schemaType": schema_type}
    error_of(client.post("/subjects/s/versions", json=body, headers=ADMIN), 422, 42201)


def test_register_ignores_unknown_request_fields_as_confluent(client: TestClient) -> None:
    # Karapace refuses them (422 "Unrecognized field"); Confluent's request entities ignore
    # unknown properties, and newer clients send fields an older registry does not know.
    body = {"schema": STRING, "invalid_field": "x", "metadata": {"properties": {}}}
    assert client.post("/subjects/s/versions", json=body, headers=ADMIN).status_code == 200


def test_schema_without_dialect_is_draft_07_so_items_array_is_a_tuple(
    client: TestClient,
) -> None:
    schema_id = register(client, "s", json.dumps({"items": [{"type": "string"}]}))
    validate = "/crossdock/subjects/s/versions/1/validate"
    assert client.post(validate, json=["x", 1]).json()["valid"] is True
    assert client.post(validate, json=[1]).json()["valid"] is False
    assert client.get(f"/schemas/ids/{schema_id}").status_code == 200


@pytest.mark.parametrize(
    ("dialect", "schema", "good", "bad"),
    [
        # draft 4: exclusiveMaximum is a boolean beside maximum
        (
            "http://json-schema.org/draft-04/schema#",
            {"maximum": 5, "exclusiveMaximum": True},
            4,
            5,
        ),
        # draft 6 on: exclusiveMaximum is the bound itself
        ("http://json-schema.org/draft-06/schema#", {"exclusiveMaximum": 5}, 4, 5),
        ("http://json-schema.org/draft-07/schema#", {"items": [{"type": "string"}]}, ["a", 1], [1]),
        # https names the same drafts, as in Confluent's list of meta-schema URLs
        ("https://json-schema.org/draft-07/schema#", {"items": [{"type": "string"}]}, ["a"], [1]),
        ("https://json-schema.org/draft-04/schema", {"maximum": 5, "exclusiveMaximum": True}, 4, 5),
        (
            "https://json-schema.org/draft/2019-09/schema",
            {"items": [{"type": "string"}]},
            ["a"],
            [1],
        ),
        (
            "https://json-schema.org/draft/2020-12/schema",
            {"prefixItems": [{"type": "string"}]},
            ["a", 1],
            [1],
        ),
    ],
)
def test_declared_dialects_are_accepted_and_validated_in_their_draft(
    client: TestClient, dialect: str, schema: dict[str, object], good: object, bad: object
) -> None:
    register(client, "s", json.dumps({"$schema": dialect, **schema}))
    validate = "/crossdock/subjects/s/versions/1/validate"
    assert client.post(validate, json=good).json()["valid"] is True
    assert client.post(validate, json=bad).json()["valid"] is False


@pytest.mark.parametrize(
    "dialect", ["http://json-schema.org/draft-03/schema#", "https://example.com/my-meta", 7]
)
def test_an_unknown_dialect_is_42201_and_never_fetched(client: TestClient, dialect: object) -> None:
    body = {"schema": json.dumps({"$schema": dialect, "type": "string"})}
    message = error_of(client.post("/subjects/s/versions", json=body, headers=ADMIN), 422, 42201)
    assert message.startswith(f"Invalid schema: unknown $schema {dialect!r}")


def test_draft_2020_12_refuses_an_items_array(client: TestClient) -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "items": [{}]}
    body = {"schema": json.dumps(schema)}
    error_of(client.post("/subjects/s/versions", json=body, headers=ADMIN), 422, 42201)


def test_register_in_read_only_mode_is_42205(client: TestClient) -> None:
    client.put("/mode/s", json={"mode": "READONLY"}, headers=ADMIN)
    message = error_of(
        client.post("/subjects/s/versions", json={"schema": A}, headers=ADMIN), 422, 42205
    )
    assert message == "Subject s is in read-only mode"


def test_incompatible_registration_message_names_the_subject_as_confluent(
    client: TestClient,
) -> None:
    register(client, "s", A)
    narrowed = json_schema({"a": {"type": "integer"}})
    r = client.post("/subjects/s/versions", json={"schema": narrowed}, headers=ADMIN)
    message = error_of(r, 409, 40901)
    assert message.startswith(
        'Schema being registered is incompatible with an earlier schema for subject "s", details: ['
    )
    assert message.endswith("{validateFields: 'false', compatibility: 'BACKWARD'}]")


# -- Get schema by version ----------------------------------------------------------------------
def test_get_schema_by_version_body(client: TestClient) -> None:
    schema_id = register(client, "s", A)
    assert client.get("/subjects/s/versions/1").json() == {
        "subject": "s",
        "version": 1,
        "id": schema_id,
        "schemaType": "JSON",
        "schema": json.dumps(json.loads(A), separators=(",", ":")),
    }
    assert client.get("/subjects/s/versions/latest").json()["version"] == 1
    assert client.get("/subjects/s/versions/-1").json()["version"] == 1


def test_get_schema_by_version_errors_and_messages(client: TestClient) -> None:
    register(client, "s", A)
    assert error_of(client.get("/subjects/s/versions/15"), 404, 40402) == "Version 15 not found."
    message = error_of(client.get("/subjects/x/versions/1"), 404, 40401)
    assert message == "Subject 'x' not found."
    for bad in ("0", "-2", "invalid", "2147483648"):
        message = error_of(client.get(f"/subjects/s/versions/{bad}"), 422, 42202)
        assert message == (
            f"The specified version '{bad}' is not a valid version id. "
            'Allowed values are between [1, 2^31-1] and the string "latest"'
        )


def test_get_a_soft_deleted_version_needs_deleted_true_and_says_so(client: TestClient) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    error_of(client.get("/subjects/s/versions/1"), 404, 40402)
    found = client.get("/subjects/s/versions/1?deleted=true").json()
    assert (found["version"], found["deleted"]) == (1, True)
    assert client.get("/subjects/s/versions/2?deleted=true").json()["deleted"] is False
    assert "deleted" not in client.get("/subjects/s/versions/2").json()


def test_latest_of_a_wholly_soft_deleted_subject_is_40401(client: TestClient) -> None:
    register(client, "s", A)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    message = error_of(client.get("/subjects/s/versions/latest"), 404, 40401)
    assert message == "Subject 's' not found."
    error_of(client.get("/subjects/s/versions/1"), 404, 40401)


# -- Get schema string by version ---------------------------------------------------------------
def test_get_schema_string_by_version(client: TestClient) -> None:
    register(client, "s", A)
    assert client.get("/subjects/s/versions/1/schema").json() == json.loads(A)
    assert client.get("/subjects/s/versions/latest/schema").json() == json.loads(A)
    error_of(client.get("/subjects/s/versions/2/schema"), 404, 40402)
    error_of(client.get("/subjects/t/versions/1/schema"), 404, 40401)
    error_of(client.get("/subjects/s/versions/0/schema"), 422, 42202)


# -- Lookup schema under subject ----------------------------------------------------------------
def test_lookup_schema_under_subject(client: TestClient) -> None:
    schema_id = register(client, "s", A)
    spaced = json.dumps(json.loads(A), indent=2)
    body = client.post("/subjects/s", json={"schema": spaced, "schemaType": "JSON"}).json()
    assert (body["subject"], body["version"], body["id"]) == ("s", 1, schema_id)
    assert body["schemaType"] == "JSON"
    # Key order is part of a schema in Confluent (Karapace sorts keys): another order is
    # another schema unless normalized (tests/registry/test_schema_key_order.py).
    reordered = json.dumps(dict(reversed(list(json.loads(A).items()))))
    error_of(client.post("/subjects/s", json={"schema": reordered}), 404, 40403)


def test_lookup_errors_and_messages(client: TestClient) -> None:
    register(client, "s", A)
    message = error_of(client.post("/subjects/s", json={"schema": STRING}), 404, 40403)
    assert message == "Schema not found"
    message = error_of(client.post("/subjects/t", json={"schema": STRING}), 404, 40401)
    assert message == "Subject 't' not found."
    # No schema at all: Confluent finds nothing (Karapace answers 500 here).
    error_of(client.post("/subjects/s", json={}), 404, 40403)
    error_of(client.post("/subjects/t", json={}), 404, 40401)
    # An invalid schema: Confluent's InvalidSchemaException, 42201 (Karapace: 500).
    error_of(client.post("/subjects/s", json={"schema": "{nope"}), 422, 42201)


def test_lookup_of_a_soft_deleted_version_needs_deleted_true(client: TestClient) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    error_of(client.post("/subjects/s", json={"schema": A}), 404, 40403)
    assert client.post("/subjects/s?deleted=true", json={"schema": A}).json()["version"] == 1


# -- Delete subject -----------------------------------------------------------------------------
def test_delete_subject_soft_then_permanent(client: TestClient) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    message = error_of(client.delete("/subjects/s?permanent=true", headers=ADMIN), 404, 40405)
    assert message == "Subject 's' was not deleted first before being permanently deleted"
    assert client.delete("/subjects/s", headers=ADMIN).json() == [1, 2]
    message = error_of(client.delete("/subjects/s", headers=ADMIN), 404, 40404)
    assert message == "Subject 's' was soft deleted.Set permanent=true to delete permanently"
    assert client.delete("/subjects/s?permanent=true", headers=ADMIN).json() == [1, 2]
    error_of(client.delete("/subjects/s", headers=ADMIN), 404, 40401)


def test_soft_deleting_a_subject_drops_its_level_and_mode_as_confluent(
    client: TestClient,
) -> None:
    register(client, "s", A)
    client.put("/config/s", json={"compatibility": "NONE"}, headers=ADMIN)
    client.put("/mode/s", json={"mode": "READWRITE"}, headers=ADMIN)
    client.delete("/subjects/s", headers=ADMIN)
    error_of(client.get("/config/s"), 404, 40408)
    error_of(client.get("/mode/s"), 404, 40409)


def test_a_subject_registered_again_after_deletion_continues_its_numbers(
    client: TestClient,
) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    client.delete("/subjects/s", headers=ADMIN)
    register(client, "s", A)
    assert client.get("/subjects/s/versions").json() == [3]
    # Confluent tombstones the soft-deleted version 1 holding the same schema
    assert client.get("/subjects/s/versions?deleted=true").json() == [2, 3]


def test_a_schema_registered_again_after_its_version_was_soft_deleted(
    client: TestClient,
) -> None:
    client.put("/config/s", json={"compatibility": "NONE"}, headers=ADMIN)
    first = register(client, "s", A)
    register(client, "s", AB)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    # a new version with the same id; the older soft-deleted one goes, as in Confluent
    assert register(client, "s", A) == first
    assert client.get("/subjects/s/versions?deleted=true").json() == [2, 3]
    assert client.get(f"/schemas/ids/{first}/versions").json() == [{"subject": "s", "version": 3}]


# -- Delete schema version ----------------------------------------------------------------------
def test_delete_schema_version_soft_then_permanent_with_confluent_codes(
    client: TestClient,
) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    message = error_of(
        client.delete("/subjects/s/versions/1?permanent=true", headers=ADMIN), 404, 40407
    )
    assert message == "Subject 's' Version 1 was not deleted first before being permanently deleted"
    assert client.delete("/subjects/s/versions/1", headers=ADMIN).json() == 1
    message = error_of(client.delete("/subjects/s/versions/1", headers=ADMIN), 404, 40406)
    assert (
        message == "Subject 's' Version 1 was soft deleted.Set permanent=true to delete permanently"
    )
    assert client.delete("/subjects/s/versions/1?permanent=true", headers=ADMIN).json() == 1
    error_of(client.delete("/subjects/s/versions/1", headers=ADMIN), 404, 40402)
    error_of(client.delete("/subjects/s/versions/9", headers=ADMIN), 404, 40402)
    error_of(client.delete("/subjects/t/versions/1", headers=ADMIN), 404, 40401)
    error_of(client.delete("/subjects/s/versions/zero", headers=ADMIN), 422, 42202)


def test_delete_latest_removes_the_newest_live_version(client: TestClient) -> None:
    register(client, "s", A)
    register(client, "s", AB)
    assert client.delete("/subjects/s/versions/latest", headers=ADMIN).json() == 2
    assert client.delete("/subjects/s/versions/latest", headers=ADMIN).json() == 1
    message = error_of(client.delete("/subjects/s/versions/latest", headers=ADMIN), 404, 40402)
    assert message == "Version -1 not found."


def test_deleting_the_last_version_drops_the_subject_settings(client: TestClient) -> None:
    register(client, "s", A)
    client.put("/config/s", json={"compatibility": "FULL"}, headers=ADMIN)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    error_of(client.get("/config/s"), 404, 40408)


# -- Retrieve the latest version with the given metadata ----------------------------------------
def test_latest_with_metadata_finds_nothing_as_no_metadata_is_kept(client: TestClient) -> None:
    register(client, "s", A)
    error_of(client.get("/subjects/s/metadata?key=owner&value=me"), 404, 40403)
    error_of(client.get("/subjects/t/metadata"), 404, 40401)
