"""Build the hub's FastAPI app for a configuration.

The database's schema is checked (an empty one migrated, one behind the code refused) and the
registry's canonical schemas seeded here, before the app is returned, rather than in a lifespan
hook: every way of running the app (uvicorn, the test client, schemathesis' ASGI transport)
then finds the same ready database.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from hub.api import webhooks
from hub.api.docs import install_docs
from hub.api.nul_guard import refuse_nul_bytes
from hub.api.probes import install_probes
from hub.config import Settings
from hub.connector_bus import HubEventBus, RoutesPublished
from hub.database import connect
from hub.ops.mount import install_ops
from hub.registry import confluent_api, crossdock_api
from hub.registry.content import install_error_handlers
from hub.registry.negotiation import ConfluentNegotiation
from hub.registry.service import open_registry
from hub.registry.settings import RegistrySettings
from hub.routing import api as routing_api
from hub.startup_heap import freeze_startup_heap

__all__ = ["create_app", "freeze_startup_heap"]

_DESCRIPTION = """\
Crossdock's API. The schema registry speaks Confluent's REST API for JSON Schema (point
`SchemaRegistryClient({"url": ...})` at this server); `/crossdock/...` adds payload validation,
version conversion and diffs. Reads are open unless configured otherwise; writes need
`Authorization: Bearer <token>` of an admin token (`crossdock token create --role admin`).
"""


def create_app(
    settings: Settings,
    *,
    registry_settings: RegistrySettings | None = None,
    engine: Engine | None = None,
    routing: RoutesPublished | None = None,
) -> FastAPI:
    """The app for ``settings``: schema checked, registry seeded, routers mounted.

    ``routing``: the webhook deliveries' events, and what the ops console replays, are
    routed in this process once published (``crossdock run`` serving its API,
    :mod:`hub.inline_routing`)."""
    if engine is None:
        url = settings.resolved_database_url
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = connect(url)
    app = FastAPI(
        title="Crossdock",
        description=_DESCRIPTION,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_nul_bytes)],
    )
    install_docs(app)
    app.state.registry = open_registry(
        engine, registry_settings or RegistrySettings.from_env(base=settings.registry)
    )
    install_error_handlers(app)
    # Confluent's paths only: Accept (406), Content-Type (415), trailing slashes.
    app.add_middleware(ConfluentNegotiation)
    # the validate route is the one called per message: first in line, it is matched first
    app.include_router(crossdock_api.router)
    bus = HubEventBus.for_settings(settings, engine, routing=routing) if routing else None
    # per delivery: matched early
    app.include_router(webhooks.webhook_router(settings, engine, bus=bus))
    app.include_router(confluent_api.router)
    app.include_router(routing_api.router)
    install_ops(app, engine, settings, routing=routing)
    install_probes(app, engine)
    return app
