"""The declarative base of the tables Alembic owns (``hub.migrations``), shared by their modules.

The registry's tables and the tokens and audit trail of :mod:`hub.auth` hang off this
``MetaData``, the other hub tables off :data:`hub.storage.METADATA` (the first to be migrated
had their own); one migration history (``hub.migrations``) makes the tables of both.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

__all__ = ["MigratedBase", "utcnow"]


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class MigratedBase(DeclarativeBase):
    """Declarative base of the Alembic-migrated tables; their own MetaData."""

    metadata = MetaData()
