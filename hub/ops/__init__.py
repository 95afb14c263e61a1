"""Operating the hub: the dead-letter console (API, page, CLI), bulk redrive tasks.

Modules, one concept each: ``filters`` (which letters), ``storage`` (indexes and kept tallies),
``views`` (pages, counts, overview, detail, export), ``pacing`` (rate caps), ``redrive`` (bulk
tasks), ``service`` (audited operations), ``api`` and ``page`` (the routers). Replaying is
:mod:`hub.replay` (the one engine: replay, edit-and-replay, redrive, dry run); every status
change goes through :mod:`hub.deadletter.service`; the mapping versions a replay may go through
are :mod:`hub.mapping_versions`.
"""

from hub.mapping_versions import MappingCatalog
from hub.ops.filters import DeadLetterFilter
from hub.ops.service import OpsService, open_ops

__all__ = ["DeadLetterFilter", "MappingCatalog", "OpsService", "open_ops"]
