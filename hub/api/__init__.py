"""The hub's one FastAPI app: the schema registry now; webhooks, dead-letter ops, routing later.

Its names are imported on first use (:func:`canonical.lazy_exports.lazy_exports`): the app's
routes cost about 45 MB and a second of start-up, which ``crossdock run --once`` (no API)
paid through :mod:`hub.api.health`, the outage checks every run makes.
"""

from canonical.lazy_exports import lazy_exports

__all__ = ["create_app", "freeze_startup_heap"]

_HOMES = {"create_app": "hub.api.app", "freeze_startup_heap": "hub.startup_heap"}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
