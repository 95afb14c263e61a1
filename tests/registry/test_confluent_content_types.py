"""Confluent API reference, "Content Types": Accept (406), Content-Type (415), trailing ``/``.

Confluent's resources produce ``application/vnd.schemaregistry.v1+json`` (qs 1),
``application/vnd.schemaregistry+json`` (qs 0.9) and ``application/json`` (qs 0.5), and
consume those and ``application/octet-stream``; JAX-RS negotiates between them. The cases
are those of Karapace's ``test_http_headers``, which agree with Confluent here.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hub.registry.negotiation import negotiate
from tests.registry.conftest import ADMIN, error_of

V1 = "application/vnd.schemaregistry.v1+json"
VND = "application/vnd.schemaregistry+json"
JSON = "application/json"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, V1),
        ("", V1),
        (JSON, JSON),
        (VND, VND),
        (f"{V1}, {VND}; q=0.9, {JSON}; q=0.5", V1),  # what confluent-kafka's client sends
        ("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", V1),
        ("application/vnd.schemaregistry.v2+json; q=0.1, " + f"{VND}; q=0.9", VND),
        ("application/*", V1),
        ("*/does_not_matter", V1),
        ("*", V1),
        ("*/*", V1),
        (f"{JSON}; q=0.9, {V1}; q=0.1", JSON),
        ("application/vnd.schemaregistry.v2+json", None),
        ("text/*", None),
        ("application/octet-stream", None),
        (f"{V1}; q=0", None),
    ],
)
def test_accept_is_negotiated_as_jax_rs_does(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


def test_the_answer_carries_the_negotiated_type(client: TestClient) -> None:
    assert client.get("/subjects").headers["content-type"] == V1
    plain = client.get("/subjects", headers={"Accept": JSON})
    assert plain.headers["content-type"] == JSON
    assert isinstance(plain.json(), list)
    vnd = client.get("/config", headers={"Accept": VND})
    assert vnd.headers["content-type"] == VND
    missing = client.get("/subjects/nope/versions", headers={"Accept": JSON})
    assert missing.headers["content-type"] == JSON
    error_of(missing, 404, 40401)


def test_an_unacceptable_accept_is_406(client: TestClient) -> None:
    r = client.get("/subjects", headers={"Accept": "application/vnd.schemaregistry.v2+json"})
    message = error_of(r, 406, 406)
    assert message == "HTTP 406 Not Acceptable"
    assert r.headers["content-type"] == V1
    error_of(client.get("/subjects", headers={"Accept": "text/*"}), 406, 406)


def test_an_unsupported_body_type_is_415(client: TestClient) -> None:
    r = client.put(
        "/config",
        content=b'{"compatibility": "NONE"}',
        headers={**ADMIN, "Content-Type": "text/html"},
    )
    assert error_of(r, 415, 415) == "HTTP 415 Unsupported Media Type"
    assert r.headers["content-type"] == V1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/octet-stream",
        JSON,
        V1,
        VND,
        f"{V1}; charset=utf-8",
    ],
)
def test_accepted_body_types(client: TestClient, content_type: str) -> None:
    r = client.put(
        "/config",
        content=b'{"compatibility": "FULL"}',
        headers={**ADMIN, "Content-Type": content_type},
    )
    assert (r.status_code, r.json()) == (200, {"compatibility": "FULL"})
    assert r.headers["content-type"] == V1


def test_a_body_in_another_charset_is_read(client: TestClient) -> None:
    r = client.put(
        "/config",
        content='{"compatibility": "NONE"}'.encode("utf-16"),
        headers={**ADMIN, "Content-Type": f"{V1}; charset=utf-16"},
    )
    assert r.json() == {"compatibility": "NONE"}


def test_a_body_without_content_type_is_json(client: TestClient) -> None:
    r = client.post("/subjects/unknown_subject", content=b"{}")
    error_of(r, 404, 40401)


@pytest.mark.parametrize(
    "path",
    ["/subjects/", "/config/", "/schemas/types/", "/mode/"],
)
def test_a_trailing_slash_reaches_the_same_route(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_trailing_slash_after_a_subject_reaches_its_route(client: TestClient) -> None:
    body = {"schema": '{"type": "string"}'}
    assert client.post("/subjects/s/versions/", json=body, headers=ADMIN).status_code == 200
    assert client.post("/subjects/s/", json=body).json()["version"] == 1
    assert client.get("/subjects/s/versions/1/").json()["version"] == 1


def test_an_unknown_route_is_404_in_confluents_shape(client: TestClient) -> None:
    assert error_of(client.get("/no/such/thing"), 404, 404) == "HTTP 404 Not Found"
    assert error_of(client.get("/subjects/s"), 405, 405) == "HTTP 405 Method Not Allowed"


def test_a_body_of_the_wrong_shape_is_400_as_jacksons_mapping_error(client: TestClient) -> None:
    # Confluent (rest-utils' JsonMappingExceptionMapper): 400; Karapace answers 500 here.
    for body in ("invalid", ["schema"], {"schema": {"type": "string"}}):
        r = client.post("/subjects/s/versions", json=body, headers=ADMIN)
        error_of(r, 400, 400)
    error_of(client.post("/subjects/s/versions", content=b"{", headers=ADMIN), 400, 400)


def test_a_query_parameter_that_does_not_convert_is_jax_rs_404(client: TestClient) -> None:
    error_of(client.get("/subjects?offset=many"), 404, 404)
