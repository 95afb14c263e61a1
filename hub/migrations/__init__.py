"""Alembic migrations of the tables that Alembic owns (so far: the schema registry's).

The API runs :func:`upgrade` at startup, so a fresh or older database is brought to the head
revision before the first request; the rest of the hub's tables still come from
``create_all`` in :func:`hub.database.connect`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

__all__ = ["SCRIPT_LOCATION", "alembic_config", "upgrade"]

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic configuration pointing at these migrations, without any ``alembic.ini``."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
