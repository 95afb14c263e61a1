"""The declarative base of the hub's mapped classes, on :data:`hub.storage.METADATA`.

Kept apart from :mod:`hub.storage` so that what reads through Core tables alone (the dead
letters' listing) never imports ``sqlalchemy.orm``: a mapped class and a Core table of the same
MetaData are one schema to the migrations.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from hub.storage import METADATA

__all__ = ["Base"]


class Base(DeclarativeBase):
    """Declarative base of every hub table mapped to a class; one MetaData for the database."""

    metadata = METADATA
