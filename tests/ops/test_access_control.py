"""Every write endpoint of the app refuses a missing token (401) and a too-low role (403).

The routes are read from the app itself, so a new write endpoint without a role requirement
fails ``test_every_write_route_names_its_role`` instead of slipping through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from hub.auth import Role
from hub.auth.access import RoleRequirement
from hub.registry import access as registry_access
from hub.routing import api as routing_api
from tests.ops.conftest import OpsEnv, sign_in

# POSTs that change nothing (registry lookups, compatibility checks, validate/convert extras)
# and the page's sign-in/out, which take no role by design: they are how a token arrives.
NOT_ROLE_CHECKED = {
    # Confluent's root resource answers {} to a POST too; it writes nothing
    ("POST", "/"),
    # reads that take a body (lookup, compatibility, validate, convert); subject names may hold
    # "/" (sent as %2F), hence the converters
    ("POST", "/subjects/{subject:subject}"),
    ("POST", "/compatibility/subjects/{subject:subject}/versions/{version}"),
    ("POST", "/compatibility/subjects/{subject:subject}/versions"),
    ("POST", "/crossdock/subjects/{subject:path}/versions/{version}/validate"),
    ("POST", "/crossdock/subjects/{subject:path}/convert"),
    ("POST", "/ops/login"),
    ("POST", "/ops/logout"),
    # webhook deliveries are authenticated by their HMAC signature, not by a token
    ("POST", "/webhooks/{instance}"),
}
LOWER = {Role.OPERATOR: "viewer", Role.ADMIN: "operator"}


def _calls(dependant: Dependant) -> Iterator[object]:
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def required_role(route: APIRoute) -> Role | None:
    """The role a route's dependencies demand (the highest), or None."""
    roles = []
    for call in _calls(route.dependant):
        if isinstance(call, RoleRequirement):
            roles.append(call.role)
        elif call is registry_access.admin:
            roles.append(Role.ADMIN)
        elif call is routing_api.operator:
            roles.append(Role.OPERATOR)
    return max(roles, key=list(Role).index) if roles else None


def write_routes(app: FastAPI) -> list[tuple[str, str, Role | None]]:
    """Every (method, path, role) of the app that is not a GET, included routers flattened."""
    found = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute) or ctx.path is None:
            continue
        for method in ctx.methods or ():
            if method not in {"GET", "HEAD", "OPTIONS"}:
                found.append((method, ctx.path, required_role(route)))
    return sorted(found, key=lambda r: (r[1], r[0]))


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_write_route_names_its_role(embedded_env: OpsEnv) -> None:
    routes = write_routes(embedded_env.app)
    ops_writes = [r for r in routes if r[1].startswith("/ops/api/")]
    assert len(ops_writes) >= 8  # replay, dry-run, edit, discard ×2, redrive start/cancel…
    unchecked = {(m, p) for m, p, role in routes if role is None}
    assert unchecked == NOT_ROLE_CHECKED
    # none of the writes is open to a viewer
    assert all(role in {Role.OPERATOR, Role.ADMIN} for _m, _p, role in routes if role)


def test_every_write_refuses_a_missing_and_a_lower_role_token(embedded_env: OpsEnv) -> None:
    client = TestClient(embedded_env.app)
    checked = 0
    for method, path, role in write_routes(embedded_env.app):
        if role is None:
            continue
        url = _concrete(path)
        missing = client.request(method, url, json={})
        assert missing.status_code == 401, (method, path, missing.text)
        bogus = client.request(method, url, json={}, headers={"Authorization": "Bearer cdx_no"})
        assert bogus.status_code == 401, (method, path, bogus.text)
        lower = client.request(method, url, json={}, headers=embedded_env.headers(LOWER[role]))
        assert lower.status_code == 403, (method, path, role, lower.text)
        checked += 1
    assert checked >= 18


def test_page_session_writes_need_the_sessions_csrf_value(embedded_env: OpsEnv) -> None:
    client = TestClient(embedded_env.app)
    csrf = sign_in(client, embedded_env.tokens["operator"])
    body = {"reason": "test"}
    without = client.post("/ops/api/dead-letters/1/discard", json=body)
    assert without.status_code == 403
    assert "X-Crossdock-Request" in without.json()["message"]
    # the old fixed value, or any value but the session's, is refused too
    for wrong in ("ops", csrf[:-1]):
        refused = client.post(
            "/ops/api/dead-letters/1/discard", json=body, headers={"X-Crossdock-Request": wrong}
        )
        assert refused.status_code == 403
    with_header = client.post(
        "/ops/api/dead-letters/1/discard", json=body, headers={"X-Crossdock-Request": csrf}
    )
    assert with_header.status_code == 404  # authorised; there is no letter 1 yet


def test_a_bad_token_on_the_sign_in_form_is_refused(embedded_env: OpsEnv) -> None:
    client = TestClient(embedded_env.app)
    form = client.get("/ops/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    r = client.post(
        "/ops/login", data={"token": "cdx_wrong", "csrf": csrf.group(1)}, follow_redirects=False
    )
    assert r.status_code == 401
    assert "crossdock_session" not in r.headers.get("set-cookie", "")
    assert client.get("/ops", follow_redirects=False).headers["location"] == "/ops/login"


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_reads_need_a_token_of_any_role(embedded_env: OpsEnv, role: str) -> None:
    client = TestClient(embedded_env.app)
    assert client.get("/ops/api/dead-letters").status_code == 401
    r = client.get("/ops/api/dead-letters", headers=embedded_env.headers(role))
    assert r.status_code == 200
