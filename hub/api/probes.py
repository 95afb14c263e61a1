"""``/metrics`` (Prometheus text format), ``/healthz`` and ``/readyz``, installed on the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from sqlalchemy import Engine

from hub.api.health import check_broker, check_database
from hub.ops.metrics import DeadLetterCollector
from hub.routing.metrics import RoutingTaskCollector

__all__ = ["install_probes", "router"]

# Probes and metrics are for orchestrators and Prometheus, not part of the API contract.
router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The process's metrics plus the dead-letter state of the database."""
    registry: CollectorRegistry = request.app.state.metrics_registry
    body = generate_latest(REGISTRY) + generate_latest(registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database and the broker are reachable (503 with the reason otherwise)."""
    checks = [
        check_database(request.app.state.ops.engine),
        check_broker(request.app.state.ops.bus_url),
    ]
    ready = all(c.ok for c in checks)
    return JSONResponse(
        {
            "status": "ready" if ready else "not ready",
            "checks": {c.name: c.as_json() for c in checks},
        },
        status_code=200 if ready else 503,
    )


def install_probes(app: FastAPI, engine: Engine) -> None:
    """Serve the probes and ``/metrics`` with the database state collectors on ``engine``."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(DeadLetterCollector(engine))
    registry.register(RoutingTaskCollector(engine))
    app.state.metrics_registry = registry
    app.include_router(router)
