"""FastAPI dependencies that say who is calling and refuse a role too low.

A caller is a token, ``Authorization: Bearer <token>``, or, for the ``/ops`` page in a
browser, a session: the HttpOnly ``crossdock_session`` cookie set by its sign-in form holds a
session id, never the token (:mod:`hub.auth.sessions`). A write authenticated by the session
must also carry the session's CSRF value in ``X-Crossdock-Request``: a page elsewhere can
neither read that value nor set the header, so it cannot make the browser write (CSRF).

A missing or unknown token answers 401; a known token whose role is too low answers 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from hub.auth.roles import Principal, Role
from hub.auth.sessions import PageSession, session_of
from hub.auth.tokens import authenticate

__all__ = [
    "COOKIE_NAME",
    "CSRF_HEADER",
    "Credentials",
    "RoleRequirement",
    "auth_engine_of",
    "page_session",
    "principal_from",
]

COOKIE_NAME = "crossdock_session"
CSRF_HEADER = "X-Crossdock-Request"
#: sent by the ops page's background polls, which must not keep an idle session alive
BACKGROUND_HEADER = "X-Crossdock-Background"

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(
    auto_error=False, description="a Crossdock token (`crossdock token create --role`)"
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


def auth_engine_of(request: Request) -> Engine:
    """The database holding the tokens (``app.state.auth_engine``)."""
    engine: Engine = request.app.state.auth_engine
    return engine


def page_session(request: Request) -> PageSession | None:
    """The live session of the request's cookie, or None (none, ended, expired, revoked)."""
    return session_of(
        auth_engine_of(request),
        request.cookies.get(COOKIE_NAME),
        touch=request.headers.get(BACKGROUND_HEADER) != "1",
    )


def _caller(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The bearer token's principal, else the page session's (writes: with its CSRF value)."""
    if credentials is not None and credentials.credentials:
        return principal_from(auth_engine_of(request), credentials.credentials)
    session = page_session(request)
    if session is None:
        return principal_from(auth_engine_of(request), None)  # 401
    if request.method not in _SAFE_METHODS and not session.csrf_matches(
        request.headers.get(CSRF_HEADER)
    ):
        raise HTTPException(
            403, f"a write from the page needs the session's CSRF value in {CSRF_HEADER}"
        )
    return session.principal


def principal_from(engine: Engine, token: str | None) -> Principal:
    """The principal of ``token``; 401 when it is missing, unknown or revoked."""
    if not token:
        raise HTTPException(
            401,
            "Authentication required: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = authenticate(engine, token)
    if principal is None:
        raise HTTPException(401, "Unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return principal


class RoleRequirement:
    """A dependency admitting callers with ``role`` or higher; the role is inspectable.

    Tests walk the app's routes and read :attr:`role` off each route's dependencies, so every
    write endpoint is checked for refusing a missing and a too-low token.
    """

    def __init__(self, role: Role) -> None:
        self.role = role

    # A plain `def`: FastAPI runs it in a worker thread, keeping the token lookup (a database
    # read) off the event loop.
    def __call__(self, request: Request, credentials: Credentials) -> Principal:
        principal = _caller(request, credentials)
        if not principal.may(self.role):
            raise HTTPException(
                403, f"Token '{principal.name}' has role {principal.role}; this needs {self.role}"
            )
        return principal

    def __repr__(self) -> str:
        return f"RoleRequirement({self.role.value})"
