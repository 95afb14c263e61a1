"""Schema references (JSON Schema): register, read, look up, check, validate, delete.

The schemas are those of Karapace's ``test_json_references`` (country, address, job and
person, each with an ``$id`` under https://example.com/ and reference names that are the
file names): a ``$ref`` reaches a referenced schema by its ``$id`` or by its reference name
resolved against the referring schema's ``$id``, as Confluent's registry resolves them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.registry.conftest import ADMIN, error_of, register

COUNTRY = {
    "$id": "https://example.com/country.schema.json",
    "title": "Country",
    "type": "object",
    "properties": {"name": {"type": "string"}, "code": {"type": "string"}},
    "required": ["name", "code"],
}
ADDRESS = {
    "$id": "https://example.com/address.schema.json",
    "title": "Address",
    "type": "object",
    "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "postalCode": {"type": "string"},
        "country": {"$ref": "https://example.com/country.schema.json"},
    },
    "required": ["street", "city", "postalCode", "country"],
}
JOB = {
    "$id": "https://example.com/job.schema.json",
    "title": "Job",
    "type": "object",
    "properties": {"title": {"type": "string"}, "salary": {"type": "number"}},
    "required": ["title", "salary"],
}


def person(age_type: str = "integer") -> dict[str, Any]:
    """The person schema; its job is referred to by name, relative to its own ``$id``."""
    return {
        "$id": "https://example.com/person.schema.json",
        "title": "Person",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": age_type},
            "address": {"$ref": "https://example.com/address.schema.json"},
            "job": {"$ref": "job.schema.json"},
        },
        "required": ["name", "age", "address", "job"],
    }


ADDRESS_REFS = [{"name": "country.schema.json", "subject": "country", "version": 1}]
PERSON_REFS = [
    {"name": "address.schema.json", "subject": "address", "version": 1},
    {"name": "job.schema.json", "subject": "job", "version": 1},
]
VALID_PERSON = {
    "name": "Ada",
    "age": 36,
    "address": {
        "street": "1 Main St",
        "city": "Springfield",
        "postalCode": "12345",
        "country": {"name": "Utopia", "code": "UT"},
    },
    "job": {"title": "Engineer", "salary": 100},
}


def _fill(client: TestClient) -> dict[str, int]:
    ids = {
        "country": register(client, "country", json.dumps(COUNTRY)),
        "address": register(client, "address", json.dumps(ADDRESS), ADDRESS_REFS),
        "job": register(client, "job", json.dumps(JOB)),
    }
    ids["person"] = register(client, "person", json.dumps(person()), PERSON_REFS)
    return ids


# -- Register schema under a subject, with references --------------------------------------------
def test_a_schema_with_references_is_served_with_them(client: TestClient) -> None:
    ids = _fill(client)
    got = client.get("/subjects/person/versions/latest").json()
    got["schema"] = json.loads(got["schema"])
    assert got == {
        "subject": "person",
        "version": 1,
        "id": ids["person"],
        "schemaType": "JSON",
        "references": PERSON_REFS,
        "schema": person(),
    }
    by_id = client.get(f"/schemas/ids/{ids['person']}").json()
    assert by_id["references"] == PERSON_REFS
    listed = client.get("/schemas?subjectPrefix=person").json()
    assert listed[0]["references"] == PERSON_REFS
    assert "references" not in client.get("/subjects/country/versions/1").json()


def test_references_are_part_of_the_schema_identity(client: TestClient) -> None:
    ids = _fill(client)
    register(client, "job", json.dumps({**JOB, "title": "Job v2"}))
    again = register(client, "person2", json.dumps(person()), PERSON_REFS)
    assert again == ids["person"]
    other = [PERSON_REFS[0], {**PERSON_REFS[1], "version": 2}]
    assert register(client, "person3", json.dumps(person()), other) != ids["person"]


def test_latest_as_reference_version_is_stored_as_its_number(client: TestClient) -> None:
    _fill(client)
    refs = [PERSON_REFS[0], {"name": "job.schema.json", "subject": "job", "version": -1}]
    schema_id = register(client, "p-latest", json.dumps(person()), refs)
    assert client.get(f"/schemas/ids/{schema_id}").json()["references"] == PERSON_REFS


def test_a_reference_to_nothing_is_42201(client: TestClient) -> None:
    body = {"schema": json.dumps(ADDRESS), "references": ADDRESS_REFS}
    message = error_of(
        client.post("/subjects/address/versions", json=body, headers=ADMIN), 422, 42201
    )
    assert (
        message == 'Invalid schema: No schema reference found for subject "country" and version 1'
    )


def test_a_ref_that_no_reference_answers_is_42201(client: TestClient) -> None:
    body = {"schema": json.dumps(ADDRESS)}
    message = error_of(
        client.post("/subjects/address/versions", json=body, headers=ADMIN), 422, 42201
    )
    assert "country.schema.json" in message
    assert "references" in message


def test_a_new_schema_may_not_refer_to_a_soft_deleted_version(client: TestClient) -> None:
    register(client, "country", json.dumps(COUNTRY))
    register(client, "country", json.dumps({**COUNTRY, "title": "Land"}))
    client.delete("/subjects/country/versions/1", headers=ADMIN)
    body = {"schema": json.dumps(ADDRESS), "references": ADDRESS_REFS}
    error_of(client.post("/subjects/address/versions", json=body, headers=ADMIN), 422, 42201)


# -- Lookup schema under subject, with references ------------------------------------------------
def test_lookup_matches_the_schema_and_its_references(client: TestClient) -> None:
    ids = _fill(client)
    body = {"schema": json.dumps(ADDRESS), "references": ADDRESS_REFS, "schemaType": "JSON"}
    found = client.post("/subjects/address", json=body).json()
    assert (found["id"], found["version"], found["references"]) == (ids["address"], 1, ADDRESS_REFS)
    error_of(client.post("/subjects/address", json={"schema": json.dumps(COUNTRY)}), 404, 40403)


# -- $ref resolved through references: validation ---------------------------------------------
def test_payloads_are_validated_through_the_references(client: TestClient) -> None:
    _fill(client)
    url = "/crossdock/subjects/person/versions/latest/validate"
    assert client.post(url, json=VALID_PERSON).json()["valid"] is True
    bad = json.loads(json.dumps(VALID_PERSON))
    bad["address"]["country"]["code"] = 7
    bad["job"]["salary"] = "lots"
    pointers = {e["pointer"] for e in client.post(url, json=bad).json()["errors"]}
    assert pointers == {"/address/country/code", "/job/salary"}


# -- $ref resolved through references: compatibility ------------------------------------------
def test_compatibility_follows_the_references(client: TestClient) -> None:
    _fill(client)
    same = {"schema": json.dumps(person()), "references": PERSON_REFS}
    r = client.post("/compatibility/subjects/person/versions/latest", json=same)
    assert r.json() == {"is_compatible": True}
    narrowed = {"schema": json.dumps(person("string")), "references": PERSON_REFS}
    r = client.post("/compatibility/subjects/person/versions/latest?verbose=true", json=narrowed)
    assert r.json()["is_compatible"] is False
    assert any("/properties/age" in m for m in r.json()["messages"])


def test_a_changed_referenced_version_is_checked_as_part_of_the_schema(
    client: TestClient,
) -> None:
    _fill(client)
    client.put("/config/job", json={"compatibility": "NONE"}, headers=ADMIN)
    strict_job = {**JOB, "properties": {"title": {"type": "string"}, "salary": {"type": "integer"}}}
    register(client, "job", json.dumps(strict_job))
    refs = [PERSON_REFS[0], {"name": "job.schema.json", "subject": "job", "version": 2}]
    widened = client.post(
        "/compatibility/subjects/person/versions/latest?verbose=true",
        json={"schema": json.dumps(person()), "references": refs},
    ).json()
    # the new person only accepts whole salaries: old data with 2.5 would be refused
    assert widened["is_compatible"] is False
    assert any("salary" in m for m in widened["messages"])


def test_an_incompatible_change_with_references_is_409(client: TestClient) -> None:
    _fill(client)
    renamed = {
        **ADDRESS,
        "$id": "https://example.com/address2.schema.json",
        "properties": {**ADDRESS["properties"], "street2": {"type": "string"}},
    }
    del renamed["properties"]["street"]
    body = {"schema": json.dumps(renamed), "references": ADDRESS_REFS}
    error_of(client.post("/subjects/address/versions", json=body, headers=ADMIN), 409, 40901)


# -- List schemas referencing a schema ----------------------------------------------------------
def test_referenced_by_lists_the_live_referrers(client: TestClient) -> None:
    ids = _fill(client)
    assert client.get("/subjects/country/versions/1/referencedby").json() == [ids["address"]]
    assert client.get("/subjects/job/versions/latest/referencedby").json() == [ids["person"]]
    assert client.get("/subjects/person/versions/1/referencedby").json() == []
    error_of(client.get("/subjects/job/versions/9/referencedby"), 404, 40402)
    error_of(client.get("/subjects/nope/versions/1/referencedby"), 404, 40401)
    error_of(client.get("/subjects/job/versions/x/referencedby"), 422, 42202)


# -- Delete schema version / Delete subject: references protect their targets -------------------
def test_a_referenced_version_cannot_be_deleted_42206(client: TestClient) -> None:
    # Karapace answers 404 and drops the closing period; Confluent's RestReferenceExistsException
    # is a 422 whose text ends with ".", which this follows
    _fill(client)
    message = error_of(client.delete("/subjects/job/versions/1", headers=ADMIN), 422, 42206)
    assert message == (
        "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=job,version=1}."
    )
    error_of(client.delete("/subjects/job", headers=ADMIN), 422, 42206)
    error_of(client.delete("/subjects/country/versions/latest", headers=ADMIN), 422, 42206)


def test_deleting_the_referrer_first_frees_the_referenced_version(client: TestClient) -> None:
    # Karapace keeps refusing until the referrer is deleted permanently; Confluent's
    # referencedBy drops a soft-deleted referrer (its RestApiTest deletes the reference right
    # after a soft delete of the referrer), which this follows
    ids = _fill(client)
    client.delete("/subjects/person/versions/1", headers=ADMIN)
    assert client.get("/subjects/job/versions/1/referencedby").json() == []
    assert client.delete("/subjects/job/versions/1", headers=ADMIN).json() == 1
    assert client.delete("/subjects/job/versions/1?permanent=true", headers=ADMIN).json() == 1
    # the soft-deleted referrer is still readable by id, references and all
    assert client.get(f"/schemas/ids/{ids['person']}").json()["references"] == PERSON_REFS


def test_a_reference_version_beyond_32_bits_is_a_mapping_error_and_zero_finds_nothing(
    client: TestClient,
) -> None:
    huge = {"schema": "{}", "references": [{"name": "a", "subject": "b", "version": 2**63}]}
    error_of(client.post("/subjects/s/versions", json=huge, headers=ADMIN), 400, 400)
    zero = {"schema": "{}", "references": [{"name": "a", "subject": "b", "version": 0}]}
    error_of(client.post("/subjects/s/versions", json=zero, headers=ADMIN), 422, 42201)
