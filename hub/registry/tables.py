"""The registry's SQL tables (SQLAlchemy 2), owned by the Alembic migrations in ``hub.migrations``.

They hang off their own ``MetaData`` rather than ``hub.storage.Base``: the other hub tables are
made with ``create_all``, and a table created that way would make the first migration fail on
an existing database. Names carry a ``registry_`` prefix so they never clash with later
issues' tables in the same database.

Global schema ids are the primary key of ``registry_schemas``, one row per distinct schema
(deduplicated by the SHA-256 of its canonical JSON); a subject version points at one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "GLOBAL_SCOPE",
    "AuditRow",
    "ConfigRow",
    "ModeRow",
    "RegistryBase",
    "SchemaRow",
    "SubjectRow",
    "SubjectVersionRow",
    "TokenRow",
    "utcnow",
]

GLOBAL_SCOPE = ""
"""The ``scope`` of the registry-wide config and mode rows (a subject name is never empty)."""


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class RegistryBase(DeclarativeBase):
    """Declarative base of the registry tables; their own MetaData, migrated by Alembic."""

    metadata = MetaData()


class SubjectRow(RegistryBase):
    """A subject: a named, ordered list of schema versions (e.g. ``retail.order.created``)."""

    __tablename__ = "registry_subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SchemaRow(RegistryBase):
    """One distinct schema; its primary key is the global schema id clients embed in messages."""

    __tablename__ = "registry_schemas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    schema_type: Mapped[str] = mapped_column(String(16))
    schema_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubjectVersionRow(RegistryBase):
    """Version ``version`` of a subject is schema ``schema_id``; ``deleted`` marks a soft delete."""

    __tablename__ = "registry_subject_versions"
    __table_args__ = (UniqueConstraint("subject_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("registry_subjects.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    schema_id: Mapped[int] = mapped_column(ForeignKey("registry_schemas.id"), index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConfigRow(RegistryBase):
    """A compatibility level, registry-wide (``scope`` empty) or for one subject."""

    __tablename__ = "registry_config"

    scope: Mapped[str] = mapped_column(String(255), primary_key=True)
    compatibility: Mapped[str] = mapped_column(String(32))


class ModeRow(RegistryBase):
    """A mode (READWRITE, READONLY, …), registry-wide (``scope`` empty) or for one subject."""

    __tablename__ = "registry_modes"

    scope: Mapped[str] = mapped_column(String(255), primary_key=True)
    mode: Mapped[str] = mapped_column(String(32))


class TokenRow(RegistryBase):
    """An API token: only its SHA-256 is kept, so a database dump reveals no usable token."""

    __tablename__ = "registry_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(RegistryBase):
    """One write to the registry: who did what to which subject, when."""

    __tablename__ = "registry_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
