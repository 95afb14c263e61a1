"""Who may call what: reads open (unless configured otherwise), writes with an admin token.

The token comes as ``Authorization: Bearer <token>``. A missing or unknown token answers
401 (40101); a known token whose role is too low answers 403 (40301).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from hub.auth import Principal, Role, authenticate
from hub.registry.errors import Forbidden, Unauthenticated
from hub.registry.service import RegistryService

__all__ = ["Admin", "Reader", "Registry", "RegistryReading", "registry_of"]

ANONYMOUS = Principal("anonymous", None)

_bearer = HTTPBearer(auto_error=False, description="a Crossdock token (`crossdock token create`)")


# The dependencies are `async def` although they do not await: FastAPI runs a plain `def`
# dependency in a worker thread, a hop that cost the validate route half its throughput.
async def registry_of(request: Request) -> RegistryService:
    """The registry service the app was created with."""
    service: RegistryService = request.app.state.registry
    return service


Registry = Annotated[RegistryService, Depends(registry_of)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


def _principal(
    registry: RegistryService, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("Authentication required: send Authorization: Bearer <token>")
    principal = authenticate(registry.engine, credentials.credentials)
    if principal is None:
        raise Unauthenticated("Unknown or revoked token")
    return principal


async def reader(registry: Registry, credentials: Credentials) -> Principal:
    """Anyone when reads are open, else the holder of any valid token."""
    if registry.settings.reads_open and credentials is None:
        return ANONYMOUS
    # a token check reads the database: keep that off the event loop
    return await run_in_threadpool(_principal, registry, credentials)


def admin(registry: Registry, credentials: Credentials) -> Principal:
    """The holder of a valid token with the admin role."""
    principal = _principal(registry, credentials)
    if principal.role is None or not principal.role.includes(Role.ADMIN):
        raise Forbidden(f"Token '{principal.name}' has role {principal.role}; this needs admin")
    return principal


Reader = Annotated[Principal, Depends(reader)]


class _RegistryReader(HTTPBearer):
    """The registry and the reader check as ONE dependency, for the per-message routes.

    Each level of FastAPI dependencies cost about 15 µs a request there (measured in process:
    three levels were a quarter of the validate route's cost). Being an ``HTTPBearer``, it
    still documents the bearer scheme in OpenAPI.
    """

    async def __call__(  # type: ignore[override]  # returns what the route needs, not the token
        self, request: Request
    ) -> tuple[RegistryService, Principal]:
        registry: RegistryService = request.app.state.registry
        credentials = await super().__call__(request)
        if registry.settings.reads_open and credentials is None:
            return registry, ANONYMOUS
        return registry, await run_in_threadpool(_principal, registry, credentials)


_registry_reader = _RegistryReader(
    auto_error=False,
    scheme_name="HTTPBearer",  # the same scheme as the other routes, in the docs
    description="a Crossdock token (`crossdock token create`)",
)
RegistryReading = Annotated[tuple[RegistryService, Principal], Security(_registry_reader)]
"""``(registry, principal)`` for a read, resolved in one dependency (see _RegistryReader)."""
Admin = Annotated[Principal, Depends(admin)]
