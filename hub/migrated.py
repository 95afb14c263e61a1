"""The declarative base of the tables Alembic owns (``hub.migrations``), shared by their modules.

The registry's tables and the tokens and audit trail of :mod:`hub.auth` hang off this one
``MetaData``, so one migration history covers them all; the other hub tables come from
``create_all`` on :class:`hub.storage.Base` instead.
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
