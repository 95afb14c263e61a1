"""Writes need an admin token, reads are open unless configured, every write is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.config import Settings
from hub.registry.service import RegistryService
from hub.registry.settings import RegistrySettings
from hub.registry.tables import TokenRow
from hub.registry.tokens import authenticate, create_token, token_digest
from tests.registry.conftest import ADMIN, ADMIN_TOKEN, json_schema

SCHEMA = {"schema": json_schema({"a": {"type": "string"}})}

WRITES: list[tuple[str, str, dict[str, object] | None]] = [
    ("POST", "/subjects/s/versions", SCHEMA),
    ("DELETE", "/subjects/s/versions/1", None),
    ("DELETE", "/subjects/s", None),
    ("PUT", "/config", {"compatibility": "FULL"}),
    ("DELETE", "/config", None),
    ("PUT", "/config/s", {"compatibility": "FULL"}),
    ("DELETE", "/config/s", None),
    ("PUT", "/mode", {"mode": "READWRITE"}),
    ("DELETE", "/mode", None),
    ("PUT", "/mode/s", {"mode": "READWRITE"}),
    ("DELETE", "/mode/s", None),
]
# POSTs that only read: the root, lookup, compatibility tests and the crossdock extras.
READING_POSTS = {
    "/",
    "/subjects/{subject}",
    "/compatibility/subjects/{subject}/versions/{version}",
    "/compatibility/subjects/{subject}/versions",
    "/crossdock/subjects/{subject}/versions/{version}/validate",
    "/crossdock/subjects/{subject}/convert",
}
# Routes of the same app that are not the registry's: webhook deliveries are authenticated by
# their signature (hub/api/webhooks.py), not by a registry token.
OTHER_ROUTES = {"/webhooks/{instance}"}


def _service(app: FastAPI) -> RegistryService:
    service: RegistryService = app.state.registry
    return service


def test_the_write_list_covers_every_write_route(registry_app: FastAPI) -> None:
    def template(path: str) -> str:
        parts = path.split("/")
        names = {2: "{subject}", 4: "{version}"} if parts[1] == "subjects" else {2: "{subject}"}
        return "/".join(names.get(i, p) for i, p in enumerate(parts))

    listed = {(method, template(path)) for method, path, _ in WRITES}
    routes = {
        (method.upper(), path)
        for path, operations in registry_app.openapi()["paths"].items()
        for method in operations
        if method != "get"
        and not (method == "post" and path in READING_POSTS)
        # routing's ack/resolve need an operator, not an admin: tests/routing covers them
        and not path.startswith("/routing/")
        # the ops console's writes are enumerated by tests/ops/test_access_control.py
        and not path.startswith("/ops/")
        and path not in OTHER_ROUTES
    }
    assert routes == listed


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_every_write_without_a_token_is_401(
    client: TestClient, method: str, path: str, body: dict[str, object] | None
) -> None:
    r = client.request(method, path, json=body)
    assert (r.status_code, r.json()["error_code"]) == (401, 40101)
    bad = client.request(method, path, json=body, headers={"Authorization": "Bearer nope"})
    assert (bad.status_code, bad.json()["error_code"]) == (401, 40101)


@pytest.mark.parametrize("role", ["viewer", "operator"])
@pytest.mark.parametrize("write", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_every_write_with_a_lower_role_is_403(
    registry_app: FastAPI,
    client: TestClient,
    role: str,
    write: tuple[str, str, dict[str, object] | None],
) -> None:
    method, path, body = write
    token = create_token(_service(registry_app).engine, role, f"a-{role}")
    r = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()["error_code"]) == (403, 40301)


def test_reads_are_open_by_default(client: TestClient) -> None:
    assert client.get("/subjects").status_code == 200
    assert client.post("/subjects/retail.order.created", json=SCHEMA).status_code == 404


def test_closed_reads_need_a_token_of_any_role(tmp_path: Path) -> None:
    app = create_app(
        Settings(data_dir=tmp_path),
        registry_settings=RegistrySettings(admin_token=ADMIN_TOKEN, reads_open=False),
    )
    with TestClient(app) as c:
        assert c.get("/subjects").json()["error_code"] == 40101
        viewer = create_token(_service(app).engine, "viewer", "reader")
        r = c.get("/subjects", headers={"Authorization": f"Bearer {viewer}"})
        assert r.status_code == 200
        assert c.get("/subjects", headers=ADMIN).status_code == 200
        validate = "/crossdock/subjects/retail.inventory.adjusted/versions/1/validate"
        assert c.post(validate, json={}).json()["error_code"] == 40101
        bad = c.post(validate, json={}, headers={"Authorization": "Bearer nope"})
        assert bad.json()["error_code"] == 40101
        ok = c.post(validate, json={}, headers={"Authorization": f"Bearer {viewer}"})
        assert ok.status_code == 200
        assert ok.json()["valid"] is False


def test_tokens_are_stored_hashed_only(registry_app: FastAPI) -> None:
    engine = _service(registry_app).engine
    token = create_token(engine, "admin", "ops")
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        stored = list(s.scalars(select(TokenRow.token_sha256)))
    assert token not in stored
    assert token_digest(token) in stored
    principal = authenticate(engine, token)
    assert principal is not None
    assert principal.role == "admin"


def test_every_write_is_audited_with_who_what_when(
    registry_app: FastAPI, client: TestClient
) -> None:
    engine = _service(registry_app).engine
    ops = create_token(engine, "admin", "ops-alice")
    alice = {"Authorization": f"Bearer {ops}"}
    client.post("/subjects/s/versions", json=SCHEMA, headers=alice)
    client.put("/config/s", json={"compatibility": "NONE"}, headers=ADMIN)
    client.delete("/subjects/s/versions/1", headers=alice)
    client.post("/subjects/s/versions", json={"schema": "{"}, headers=alice)  # refused: no row

    rows = _service(registry_app).store.audit_log(limit=3)
    assert [(r.actor, r.action, r.subject) for r in rows] == [
        ("token:ops-alice", "delete_version", "s"),
        ("token:bootstrap-admin", "set_config", "s"),
        ("token:ops-alice", "register", "s"),
    ]
    assert rows[2].detail == {"version": 1, "id": rows[2].detail["id"]}
    assert all(r.at is not None for r in rows)
