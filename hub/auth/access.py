"""FastAPI dependencies that say who is calling and refuse a role too low.

A token comes as ``Authorization: Bearer <token>`` or, for the ``/ops`` page in a browser, as
the HttpOnly ``crossdock_token`` cookie set by its sign-in form. A write authenticated by the
cookie must also carry ``X-Crossdock-Request: ops``: a cross-site form cannot set that header,
so a page elsewhere cannot make the browser write with the operator's cookie (CSRF).

A missing or unknown token answers 401; a known token whose role is too low answers 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from hub.auth.roles import Principal, Role
from hub.auth.tokens import authenticate

__all__ = [
    "COOKIE_NAME",
    "CSRF_HEADER",
    "Credentials",
    "RoleRequirement",
    "auth_engine_of",
    "principal_from",
    "token_of",
]

COOKIE_NAME = "crossdock_token"
CSRF_HEADER = "X-Crossdock-Request"

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(
    auto_error=False, description="a Crossdock token (`crossdock token create --role`)"
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


def auth_engine_of(request: Request) -> Engine:
    """The database holding the tokens (``app.state.auth_engine``)."""
    engine: Engine = request.app.state.auth_engine
    return engine


def token_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The caller's token: the bearer header, else the page's cookie (with the CSRF header)."""
    if credentials is not None and credentials.credentials:
        return credentials.credentials
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None
    if request.method not in _SAFE_METHODS and request.headers.get(CSRF_HEADER) != "ops":
        raise HTTPException(403, f"a write with the sign-in cookie needs the {CSRF_HEADER} header")
    return cookie


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
        principal = principal_from(auth_engine_of(request), token_of(request, credentials))
        if not principal.may(self.role):
            raise HTTPException(
                403, f"Token '{principal.name}' has role {principal.role}; this needs {self.role}"
            )
        return principal

    def __repr__(self) -> str:
        return f"RoleRequirement({self.role.value})"
