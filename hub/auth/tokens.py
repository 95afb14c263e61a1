"""API tokens with roles: created once, shown once, kept only as a SHA-256.

A token is 32 random bytes (URL-safe text with a ``cdx_`` prefix so it is recognisable in a
leaked-secret scan). Random tokens of that length need no slow password hash: SHA-256 is
enough to make the stored value useless to whoever reads the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from hub.auth.roles import Principal, Role
from hub.auth.tables import AuditRow, TokenRow
from hub.errors import HubError
from hub.migrated import utcnow

__all__ = [
    "TokenError",
    "TokenInfo",
    "authenticate",
    "create_token",
    "ensure_token",
    "list_tokens",
    "revoke_token",
    "token_digest",
]

_PREFIX = "cdx_"
#: a token's last use is written at most this often: a busy client must not make every
#: request a database write
LAST_USE_RESOLUTION = timedelta(minutes=1)


class TokenError(HubError):
    """A token named that does not exist, or is named ambiguously."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What ``crossdock token list`` shows of a token (never the token itself)."""

    id: int
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: times as ISO 8601 UTC."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "created_at": _iso(self.created_at),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back naive; the hub stores UTC only
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    value = _aware(value)
    return value.isoformat() if value is not None else None


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
    """The principal of a live token, or None for an unknown or revoked one.

    A live token's last use is noted (to the minute, see :data:`LAST_USE_RESOLUTION`).
    """
    with Session(engine) as s:
        row = s.scalar(select(TokenRow).where(TokenRow.token_sha256 == token_digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        principal = Principal(row.name, Role(row.role))
        now = utcnow()
        last = _aware(row.last_used_at)
        if last is None or now - last >= LAST_USE_RESOLUTION:
            s.execute(update(TokenRow).where(TokenRow.id == row.id).values(last_used_at=now))
            s.commit()
        return principal


def list_tokens(engine: Engine, *, revoked: bool = False) -> list[TokenInfo]:
    """The tokens, oldest first; revoked ones only when ``revoked``."""
    stmt = select(TokenRow).order_by(TokenRow.id)
    if not revoked:
        stmt = stmt.where(TokenRow.revoked_at.is_(None))
    with Session(engine) as s:
        return [
            TokenInfo(
                r.id,
                r.name,
                r.role,
                _aware(r.created_at) or r.created_at,
                _aware(r.last_used_at),
                _aware(r.revoked_at),
            )
            for r in s.scalars(stmt)
        ]


def revoke_token(engine: Engine, ident: str, *, actor: str = "cli") -> TokenInfo:
    """Revoke the live token with id or name ``ident`` (audited); it signs nothing in after.

    A name held by several live tokens is ambiguous: revoke by id then.
    """
    with Session(engine) as s, s.begin():
        live = select(TokenRow).where(TokenRow.revoked_at.is_(None))
        by_id = ident.isdigit()
        rows = list(
            s.scalars(live.where(TokenRow.id == int(ident) if by_id else TokenRow.name == ident))
        )
        if not rows:
            raise TokenError(f"no live token with {'id' if by_id else 'name'} {ident!r}")
        if len(rows) > 1:
            ids = ", ".join(str(r.id) for r in rows)
            raise TokenError(f"{len(rows)} live tokens are named {ident!r} (ids {ids}): give an id")
        row = rows[0]
        row.revoked_at = utcnow()
        s.add(
            AuditRow(
                actor=actor,
                action="revoke_token",
                subject=None,
                detail={"id": row.id, "name": row.name, "role": row.role},
            )
        )
        return TokenInfo(
            row.id,
            row.name,
            row.role,
            _aware(row.created_at) or row.created_at,
            _aware(row.last_used_at),
            row.revoked_at,
        )


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
