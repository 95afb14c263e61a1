"""Operating the hub: the dead-letter console (API, page, CLI), bulk redrive tasks.

Modules, one concept each: ``filters`` (which letters), ``storage`` (indexes and kept tallies),
``listing`` (pages and counts: the one read of ``dlq list``, the API and the page), ``views``
(overview, detail, export), ``arrivals`` (new letters per hour and connector, and the page's
chart of them), ``pacing`` (rate caps), ``redrive`` (bulk tasks), ``service`` (audited
operations), ``api`` and ``page`` (the routers). Replaying is
:mod:`hub.replay` (the one engine: replay, edit-and-replay, redrive, dry run); every status
change goes through :mod:`hub.deadletter.service`; the mapping versions a replay may go through
are :mod:`hub.mapping_versions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from canonical.lazy_exports import lazy_exports

# the names load on first use (PEP 562): importing one submodule, or this package for one
# name, does not pay for all of them (see canonical.lazy_exports)
if TYPE_CHECKING:
    from hub.mapping_versions import MappingCatalog
    from hub.ops.filters import DeadLetterFilter
    from hub.ops.service import OpsService, open_ops

_HOMES = {
    "DeadLetterFilter": "hub.ops.filters",
    "MappingCatalog": "hub.mapping_versions",
    "OpsService": "hub.ops.service",
    "open_ops": "hub.ops.service",
}

__all__ = ["DeadLetterFilter", "MappingCatalog", "OpsService", "open_ops"]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
