"""The registry's SQL tables (SQLAlchemy 2), owned by the Alembic migrations in ``hub.migrations``.

They hang off :class:`hub.migrated.MigratedBase`'s ``MetaData`` (the first tables migrated,
when the other hub tables were still made with ``create_all``). Names carry a ``registry_``
prefix so they never clash with later issues' tables in the same database.

Global schema ids are the primary key of ``registry_schemas``, one row per distinct schema
(deduplicated by the SHA-256 of its canonical JSON and references); a subject version points
at one. A schema's references (``registry_schema_references``) belong to the schema, not to a
version: they are part of what the id stands for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.auth.tables import AuditRow, TokenRow
from hub.migrated import MigratedBase, utcnow

__all__ = [
    "GLOBAL_SCOPE",
    "AuditRow",
    "ConfigRow",
    "ModeRow",
    "RegistryBase",
    "SchemaReferenceRow",
    "SchemaRow",
    "SubjectRow",
    "SubjectVersionRow",
    "TokenRow",
    "utcnow",
]

GLOBAL_SCOPE = ""
"""The ``scope`` of the registry-wide config and mode rows (a subject name is never empty)."""


# The registry tables share the migrated base with hub.auth (tokens, audit), re-exported here.
RegistryBase = MigratedBase


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


class SchemaReferenceRow(RegistryBase):
    """Reference ``position`` of schema ``schema_id``: its ``$ref`` name and the version meant.

    The version is named, not linked: Confluent's references name a subject and version, and
    the registry refuses to delete a version that live schemas still name (42206).
    """

    __tablename__ = "registry_schema_references"
    __table_args__ = (UniqueConstraint("schema_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schema_id: Mapped[int] = mapped_column(ForeignKey("registry_schemas.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)


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
