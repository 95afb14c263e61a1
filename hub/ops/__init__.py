"""Operating the hub: the dead-letter console (API, page, CLI), bulk redrive tasks.

Modules, one concept each: ``filters`` (which letters), ``storage`` (indexes and kept tallies),
``views`` (pages, counts, overview, detail, export), ``mapping_versions`` (every version of
every spec), ``rendering`` (a letter through a mapping; dry-run diffs), ``replaying``
(confirmed publish, then mark through :mod:`hub.deadletter.service`, the one module that
changes a letter's status),
``pacing`` (rate caps), ``redrive`` (bulk tasks), ``service`` (audited operations),
``api`` and ``page`` (the routers).
"""

from hub.ops.filters import DeadLetterFilter
from hub.ops.mapping_versions import MappingCatalog
from hub.ops.service import OpsService, open_ops

__all__ = ["DeadLetterFilter", "MappingCatalog", "OpsService", "open_ops"]
