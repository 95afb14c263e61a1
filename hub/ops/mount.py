"""Mount the ops console on the hub's app: API, page and static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from hub.config import Settings
from hub.connector_bus import RoutesPublished
from hub.ops import api, page
from hub.ops.service import OpsService, open_ops

__all__ = ["install_ops"]


def install_ops(
    app: FastAPI, engine: Engine, settings: Settings, *, routing: RoutesPublished | None = None
) -> OpsService:
    """Prepare the ops storage on ``engine`` and mount everything under ``/ops`` and probes;
    with ``routing`` (``crossdock run``'s), what the console replays is routed as published."""
    service = open_ops(engine, settings, routing=routing)
    app.state.ops = service
    app.state.auth_engine = engine
    app.include_router(api.router)
    app.include_router(page.router)
    app.mount("/ops/static", StaticFiles(directory=page.STATIC_DIR), name="ops-static")
    app.router.on_shutdown.append(service.close)
    return service
