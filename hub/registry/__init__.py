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
