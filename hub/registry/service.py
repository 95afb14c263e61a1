"""The registry as the API holds it: store, settings and validator cache on one database."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hub.auth import Role, ensure_token
from hub.migrations import check_schema
from hub.registry.errors import OperationNotPermitted
from hub.registry.seeding import seed_schemas
from hub.registry.settings import RegistrySettings
from hub.registry.store import SchemaStore
from hub.registry.validation import PayloadValidator

__all__ = ["RegistryService", "open_registry"]

log = logging.getLogger(__name__)


@dataclass
class RegistryService:
    """Everything a registry request needs."""

    engine: Engine
    settings: RegistrySettings
    store: SchemaStore
    validator: PayloadValidator = field(init=False)

    def __post_init__(self) -> None:
        self.validator = PayloadValidator(self.store)


def open_registry(engine: Engine, settings: RegistrySettings | None = None) -> RegistryService:
    """Check the schema (an empty database is migrated), store the bootstrap admin token, seed;
    return the service."""
    settings = settings or RegistrySettings.from_env()
    check_schema(engine)
    store = SchemaStore(engine)
    if settings.admin_token is not None:
        ensure_token(engine, settings.admin_token.get_secret_value(), Role.ADMIN, "bootstrap-admin")
    if settings.seed:
        try:
            seed_schemas(store, settings.schemas_dir)
        except OperationNotPermitted as exc:
            # A read-only registry keeps what it has; starting matters more than seeding.
            log.warning("registry: not seeding: %s", exc)
    return RegistryService(engine, settings, store)
