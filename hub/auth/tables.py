"""Tokens and the audit trail in SQL, migrated by ``hub.migrations``.

The table names keep the ``registry_`` prefix of the first migration, where they were born:
renaming them would buy nothing but a migration every existing database has to run.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.migrated import MigratedBase, utcnow

__all__ = ["AuditRow", "SessionRow", "TokenRow"]


class TokenRow(MigratedBase):
    """An API token: only its SHA-256 is kept, so a database dump reveals no usable token."""

    __tablename__ = "registry_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: when the token last signed a request in (kept to the minute: see ``hub.auth.tokens``)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(MigratedBase):
    """One write: who did what to which subject (a registry subject, ``dead_letters``…), when."""

    __tablename__ = "registry_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class SessionRow(MigratedBase):
    """A signed-in page: the browser holds a random id, the table only its SHA-256.

    The token that signed in is never sent back to the browser; the session ends when it
    expires (idle or absolute), when its holder signs out, or when its token is revoked.
    """

    __tablename__ = "registry_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(Integer, ForeignKey("registry_tokens.id"), index=True)
    #: the value the page's writes send in the CSRF header (not a secret from the page itself)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
