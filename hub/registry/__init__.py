"""Schema registry: Confluent-compatible subjects, versions and compatibility checks.

Modules, one concept each: ``compat`` (the levels and the checker), ``document`` (a schema's
canonical text, draft and fingerprint), ``references`` (how a ``$ref`` reaches another
subject's version) and ``reference_rows`` (references in SQL), ``tables`` and ``store`` (SQL
storage, migrated by ``hub.migrations``), ``config_store`` (levels and modes), ``seeding``
(the canonical schemas at startup), ``tokens`` and ``access`` (roles and who may call what),
``confluent_api``, ``confluent_schemas_api`` and ``confluent_config_api`` (Confluent's routes)
with ``answers`` (their wire forms), ``negotiation`` and ``subject_paths`` (media types and
subject names in paths, as Confluent's web layer does), ``crossdock_api`` (the extras),
``validation`` (compiled validators per schema id), ``diff`` (readable version diffs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from canonical.lazy_exports import lazy_exports

# the names load on first use (PEP 562): importing one submodule, or this package for one
# name, does not pay for all of them (see canonical.lazy_exports)
if TYPE_CHECKING:
    from hub.registry.compat import (
        CompatibilityLevel,
        Incompatibility,
        check_compatibility,
        check_pair,
    )
    from hub.registry.errors import RegistryError
    from hub.registry.service import RegistryService, open_registry
    from hub.registry.settings import RegistrySettings
    from hub.registry.store import SchemaStore

_HOMES = {
    "CompatibilityLevel": "hub.registry.compat",
    "Incompatibility": "hub.registry.compat",
    "RegistryError": "hub.registry.errors",
    "RegistryService": "hub.registry.service",
    "RegistrySettings": "hub.registry.settings",
    "SchemaStore": "hub.registry.store",
    "check_compatibility": "hub.registry.compat",
    "check_pair": "hub.registry.compat",
    "open_registry": "hub.registry.service",
}

__all__ = [
    "CompatibilityLevel",
    "Incompatibility",
    "RegistryError",
    "RegistryService",
    "RegistrySettings",
    "SchemaStore",
    "check_compatibility",
    "check_pair",
    "open_registry",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
