"""The /ops page signs in to a server-side session: the token never in a cookie, sessions that
expire and end (sign-out, token revoked), and a sign-in form protected against CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hub.auth import revoke_token
from hub.auth.access import BACKGROUND_HEADER
from hub.auth.sessions import IDLE, LIFETIME, open_session, session_of
from hub.auth.tables import SessionRow
from hub.migrated import utcnow
from tests.ops.conftest import OpsEnv, sign_in


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive times; they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _engine(env: OpsEnv):  # type: ignore[no-untyped-def]
    return env.app.state.auth_engine


def test_the_cookie_holds_a_session_id_never_the_token(embedded_env: OpsEnv) -> None:
    client = TestClient(embedded_env.app)
    token = embedded_env.tokens["operator"]
    form = client.get("/ops/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    signed = client.post(
        "/ops/login", data={"token": token, "csrf": csrf.group(1)}, follow_redirects=False
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "crossdock_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert token not in cookie
    assert all(token not in value for value in client.cookies.values())
    # a cookie holding a token (the old way) signs nothing in
    old = TestClient(embedded_env.app, cookies={"crossdock_session": token})
    assert old.get("/ops", follow_redirects=False).headers["location"] == "/ops/login"


def test_sign_in_without_the_forms_csrf_value_is_refused(embedded_env: OpsEnv) -> None:
    token = embedded_env.tokens["operator"]
    # a page elsewhere posting the form: it has neither the login cookie nor its value
    forged = TestClient(embedded_env.app).post(
        "/ops/login", data={"token": token, "csrf": "guessed"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert "crossdock_session" not in forged.headers.get("set-cookie", "")
    # the cookie alone (the field left out) is not enough either
    client = TestClient(embedded_env.app)
    client.get("/ops/login")
    bare = client.post("/ops/login", data={"token": token}, follow_redirects=False)
    assert bare.status_code == 403


def test_sign_out_ends_the_session_on_the_server(embedded_env: OpsEnv) -> None:
    client = TestClient(embedded_env.app)
    csrf = sign_in(client, embedded_env.tokens["operator"])
    kept = dict(client.cookies)
    assert client.get("/ops/api/whoami").status_code == 200
    out = client.post("/ops/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    # the same cookie, replayed after sign-out, is dead: the server ended the session
    replayed = TestClient(embedded_env.app, cookies=kept)
    assert replayed.get("/ops/api/whoami").status_code == 401
    assert replayed.get("/ops", follow_redirects=False).headers["location"] == "/ops/login"


def test_revoking_the_token_ends_its_sessions(embedded_env: OpsEnv) -> None:
    client = TestClient(embedded_env.app)
    sign_in(client, embedded_env.tokens["operator"])
    assert client.get("/ops/api/whoami").status_code == 200
    revoke_token(_engine(embedded_env), "operator-test")
    assert client.get("/ops/api/whoami").status_code == 401


def test_sessions_expire_when_idle_and_at_their_lifetime(embedded_env: OpsEnv) -> None:
    engine = _engine(embedded_env)
    start = utcnow()
    idle = open_session(engine, embedded_env.tokens["viewer"], now=start)
    assert session_of(engine, idle, now=start + IDLE - timedelta(seconds=1)) is not None
    # last seen then; idle a full IDLE after that use, it is over
    assert session_of(engine, idle, now=start + 2 * IDLE) is None
    used = open_session(engine, embedded_env.tokens["viewer"], now=start)
    at = start
    while at + IDLE / 2 < start + LIFETIME:  # used every half hour, it still ends at 12 h
        at += IDLE / 2
        assert session_of(engine, used, now=at) is not None
    assert session_of(engine, used, now=start + LIFETIME) is None


def test_a_page_s_background_polls_do_not_keep_an_idle_session_alive(
    embedded_env: OpsEnv,
) -> None:
    engine = _engine(embedded_env)
    start = utcnow()
    polled = open_session(engine, embedded_env.tokens["viewer"], now=start)
    at = start
    while at + IDLE / 4 < start + IDLE:  # the open tab polls every quarter hour
        at += IDLE / 4
        assert session_of(engine, polled, now=at, touch=False) is not None
    # nobody used the page: an hour after sign-in it is over, polls or not
    assert session_of(engine, polled, now=start + IDLE, touch=False) is None


def test_the_live_route_with_the_background_header_leaves_the_idle_clock(
    embedded_env: OpsEnv,
) -> None:
    client = TestClient(embedded_env.app)
    sign_in(client, embedded_env.tokens["operator"])
    engine = _engine(embedded_env)
    with engine.begin() as conn:  # signed in two minutes ago, idle since
        conn.execute(update(SessionRow).values(last_seen_at=utcnow() - timedelta(minutes=2)))
    polled = client.get("/ops/live", headers={BACKGROUND_HEADER: "1"})
    assert polled.status_code == 200
    with engine.connect() as conn:
        seen = conn.execute(select(SessionRow.last_seen_at)).scalar_one()
    assert utcnow() - _utc(seen) >= timedelta(minutes=2)
    assert client.get("/ops/live").status_code == 200  # an operator's own request counts
    with engine.connect() as conn:
        seen = conn.execute(select(SessionRow.last_seen_at)).scalar_one()
    assert utcnow() - _utc(seen) < timedelta(minutes=1)
