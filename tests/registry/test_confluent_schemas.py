"""Confluent API reference, "Schemas (v1)", and the server-level routes (root, contexts,
server metadata): one test group per operation, with Confluent's codes and messages."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.registry.conftest import ADMIN, error_of, json_schema, register

A = json_schema({"a": {"type": "string"}})
AB = json_schema({"a": {"type": "string"}, "b": {"type": "string"}})


# -- List schemas -------------------------------------------------------------------------------
def test_list_schemas_by_subject_prefix_in_subject_then_version_order(client: TestClient) -> None:
    a1 = register(client, "ls-b", A)
    a2 = register(client, "ls-b", AB)
    c1 = register(client, "ls-a", AB)
    listed = client.get("/schemas?subjectPrefix=ls-").json()
    assert [(s["subject"], s["version"], s["id"]) for s in listed] == [
        ("ls-a", 1, c1),
        ("ls-b", 1, a1),
        ("ls-b", 2, a2),
    ]
    assert set(listed[0]) == {"subject", "version", "id", "schemaType", "schema"}
    assert json.loads(listed[0]["schema"]) == json.loads(AB)


def test_list_schemas_latest_only_deleted_and_paging(client: TestClient) -> None:
    register(client, "ls-a", A)
    register(client, "ls-a", AB)
    register(client, "ls-b", A)
    client.delete("/subjects/ls-a/versions/2", headers=ADMIN)

    def pairs(query: str) -> list[tuple[str, int]]:
        return [(s["subject"], s["version"]) for s in client.get(f"/schemas?{query}").json()]

    assert pairs("subjectPrefix=ls-") == [("ls-a", 1), ("ls-b", 1)]
    assert pairs("subjectPrefix=ls-&deleted=true") == [("ls-a", 1), ("ls-a", 2), ("ls-b", 1)]
    assert pairs("subjectPrefix=ls-&latestOnly=true") == [("ls-a", 1), ("ls-b", 1)]
    assert pairs("subjectPrefix=ls-&latestOnly=true&deleted=true") == [("ls-a", 2), ("ls-b", 1)]
    assert pairs("subjectPrefix=ls-&deleted=true&offset=1&limit=1") == [("ls-a", 2)]
    assert pairs("subjectPrefix=nothing-like-it") == []


def test_list_schemas_under_the_all_contexts_wildcard_prefix(client: TestClient) -> None:
    # Confluent reads ":*:" in subjectPrefix as "every context" (KafkaSchemaRegistry's
    # allVersions); the default context is the only one here.
    register(client, "ls-a", A)
    register(client, "ls-b", AB)

    def pairs(query: str) -> list[tuple[str, int]]:
        return [(s["subject"], s["version"]) for s in client.get(f"/schemas?{query}").json()]

    assert pairs("subjectPrefix=:*:ls-") == [("ls-a", 1), ("ls-b", 1)]
    assert pairs("subjectPrefix=%3A*%3A") == pairs("subjectPrefix=")
    assert pairs("subjectPrefix=:.other:ls-") == []  # no other context holds anything


def test_list_schemas_without_prefix_includes_the_seeded_canonical_schemas(
    client: TestClient,
) -> None:
    subjects = {s["subject"] for s in client.get("/schemas").json()}
    assert "retail.order.created" in subjects


# -- Get schema string by ID --------------------------------------------------------------------
def test_get_schema_by_id_body_and_extras(client: TestClient) -> None:
    first = register(client, "s", A)
    register(client, "t", A)
    last = register(client, "t", AB)
    assert client.get(f"/schemas/ids/{first}").json() == {
        "schemaType": "JSON",
        "schema": json.dumps(json.loads(A), separators=(",", ":")),
    }
    extra = client.get(f"/schemas/ids/{first}?fetchMaxId=true&includeSubjects=true").json()
    assert extra["maxId"] == last
    assert extra["subjects"] == ["s", "t"]
    # The subject names a context in Confluent; with one context, any subject finds the id.
    assert client.get(f"/schemas/ids/{first}?subject=unrelated").status_code == 200


def test_get_schema_by_id_errors(client: TestClient) -> None:
    message = error_of(client.get("/schemas/ids/123456789"), 404, 40403)
    assert message == "Schema 123456789 not found"
    error_of(client.get("/schemas/ids/99999999999999999999"), 404, 40403)
    # Not a number: Confluent's web layer answers a plain 404 (Karapace agrees).
    message = error_of(client.get("/schemas/ids/invalid"), 404, 404)
    assert message == "HTTP 404 Not Found"
    error_of(client.get("/schemas/ids/invalid/"), 404, 404)


def test_an_id_outlives_soft_deletes_but_not_a_permanent_one(client: TestClient) -> None:
    schema_id = register(client, "s", A)
    client.delete("/subjects/s", headers=ADMIN)
    assert client.get(f"/schemas/ids/{schema_id}").status_code == 200
    client.delete("/subjects/s?permanent=true", headers=ADMIN)
    error_of(client.get(f"/schemas/ids/{schema_id}"), 404, 40403)


# -- Get schema by ID ---------------------------------------------------------------------------
def test_get_schema_only_by_id(client: TestClient) -> None:
    schema_id = register(client, "s", A)
    assert client.get(f"/schemas/ids/{schema_id}/schema").json() == json.loads(A)
    error_of(client.get("/schemas/ids/123456789/schema"), 404, 40403)
    error_of(client.get("/schemas/ids/x/schema"), 404, 404)


# -- List supported schema types ----------------------------------------------------------------
def test_list_supported_schema_types_is_json_only(client: TestClient) -> None:
    # Karapace lists AVRO, JSON and PROTOBUF; Confluent lists the types its providers serve,
    # and this registry serves JSON Schema only (the others are refused with 42201).
    assert client.get("/schemas/types").json() == ["JSON"]
    assert client.get("/schemas/types/").json() == ["JSON"]


# -- List subjects associated to schema ID ------------------------------------------------------
def test_list_subjects_of_a_schema_id(client: TestClient) -> None:
    schema_id = register(client, "s", A)
    register(client, "t", A)
    assert client.get(f"/schemas/ids/{schema_id}/subjects").json() == ["s", "t"]
    client.delete("/subjects/t", headers=ADMIN)
    assert client.get(f"/schemas/ids/{schema_id}/subjects").json() == ["s"]
    assert client.get(f"/schemas/ids/{schema_id}/subjects?deleted=true").json() == ["s", "t"]
    error_of(client.get("/schemas/ids/123456789/subjects"), 404, 40403)


# -- List subject-versions associated to schema ID ----------------------------------------------
def test_list_subject_versions_of_a_schema_id(client: TestClient) -> None:
    schema_id = register(client, "s", A)
    register(client, "t", A)
    assert client.get(f"/schemas/ids/{schema_id}/versions").json() == [
        {"subject": "s", "version": 1},
        {"subject": "t", "version": 1},
    ]
    assert client.get(f"/schemas/ids/{schema_id}/versions?offset=1&limit=1").json() == [
        {"subject": "t", "version": 1}
    ]
    error_of(client.get("/schemas/ids/123456789/versions"), 404, 40403)


def test_versions_of_an_id_whose_versions_are_all_soft_deleted_is_an_empty_200(
    client: TestClient,
) -> None:
    # Confluent filters the list (Karapace agrees); 40403 only once no version holds the id.
    schema_id = register(client, "s", A)
    register(client, "s", AB)
    client.delete("/subjects/s/versions/1", headers=ADMIN)
    r = client.get(f"/schemas/ids/{schema_id}/versions")
    assert (r.status_code, r.json()) == (200, [])
    deleted = client.get(f"/schemas/ids/{schema_id}/versions?deleted=true").json()
    assert deleted == [{"subject": "s", "version": 1}]
    client.delete("/subjects/s/versions/1?permanent=true", headers=ADMIN)
    error_of(client.get(f"/schemas/ids/{schema_id}/versions"), 404, 40403)


# -- Root, contexts, server metadata ------------------------------------------------------------
def test_root_resource_answers_an_empty_object(client: TestClient) -> None:
    assert client.get("/").json() == {}
    assert client.post("/", json={"a": "b"}).json() == {}


def test_contexts_are_the_default_one(client: TestClient) -> None:
    assert client.get("/contexts").json() == ["."]


def test_server_metadata(client: TestClient) -> None:
    assert client.get("/v1/metadata/version").json()["version"]
    assert "scope" in client.get("/v1/metadata/id").json()
