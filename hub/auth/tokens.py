"""API tokens with roles: created once, shown once, kept only as a SHA-256.

A token is 32 random bytes (URL-safe text with a ``cdx_`` prefix so it is recognisable in a
leaked-secret scan). Random tokens of that length need no slow password hash: SHA-256 is
enough to make the stored value useless to whoever reads the database.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.auth.roles import Principal, Role
from hub.auth.tables import AuditRow, TokenRow

__all__ = ["authenticate", "create_token", "ensure_token", "token_digest"]

_PREFIX = "cdx_"


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, role: Role | str, name: str, *, actor: str = "cli") -> str:
    """Store a new token with ``role``; return the token text (it is never stored)."""
    role = Role(role)
    token = _PREFIX + secrets.token_urlsafe(32)
    _insert(engine, token, role, name, actor)
    return token


def ensure_token(engine: Engine, token: str, role: Role | str, name: str) -> bool:
    """Store ``token`` (e.g. from ``CROSSDOCK_ADMIN_TOKEN``) unless it is already; True if new."""
    with Session(engine) as s:
        if s.scalar(select(TokenRow.id).where(TokenRow.token_sha256 == token_digest(token))):
            return False
    _insert(engine, token, Role(role), name, "environment")
    return True


def authenticate(engine: Engine, token: str) -> Principal | None:
    """The principal of a live token, or None for an unknown or revoked one."""
    with Session(engine) as s:
        row = s.scalar(select(TokenRow).where(TokenRow.token_sha256 == token_digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        return Principal(row.name, Role(row.role))


def _insert(engine: Engine, token: str, role: Role, name: str, actor: str) -> None:
    with Session(engine) as s, s.begin():
        s.add(TokenRow(name=name, role=role.value, token_sha256=token_digest(token)))
        s.add(
            AuditRow(
                actor=actor,
                action="create_token",
                subject=None,
                detail={"name": name, "role": role.value},
            )
        )
