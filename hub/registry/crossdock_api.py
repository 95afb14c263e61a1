"""Crossdock's extras next to the Confluent API: validate a payload, convert an event, diff.

The validate route is the one foreign producers call per message, so it stays lean: the body
is parsed once with the standard library, the version is resolved from a short-lived cache
and the compiled validator from a per-id cache; the database is touched only on a miss.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from canonical import NoCastPath, UnknownEventType, UnknownEventVersion, convert, default_registry
from hub.registry.access import Reader, Registry, RegistryReading
from hub.registry.compat import check_pair
from hub.registry.content import ERROR_RESPONSES, RegistryJSONResponse
from hub.registry.diff import diff_schemas
from hub.registry.errors import (
    InvalidRequest,
    SubjectNotFound,
    VersionNotFound,
    describe,
)
from hub.registry.references import bundle
from hub.registry.store import parse_version

__all__ = ["router"]

router = APIRouter(
    prefix="/crossdock",
    default_response_class=RegistryJSONResponse,
    responses=ERROR_RESPONSES,
    tags=["crossdock extras"],
)


class ViolationBody(BaseModel):
    """One reason a payload is invalid."""

    pointer: str = Field(description="JSON pointer into the payload ('' is the whole payload)")
    schema_pointer: str = Field(description="JSON pointer to the schema keyword that failed")
    message: str


class ValidationResult(BaseModel):
    """Whether the payload is valid against the subject version, and every violation."""

    subject: str
    version: int
    id: int
    valid: bool
    errors: list[ViolationBody]


class ConversionRequest(BaseModel):
    """An event's ``data`` at one version, to be converted to another."""

    data: dict[str, Any]
    from_version: int = Field(ge=1, le=2**31 - 1)
    to_version: int = Field(ge=1, le=2**31 - 1)


class ConversionResult(BaseModel):
    """The converted ``data`` and the fields lost on the way (a downcast is lossy)."""

    subject: str
    from_version: int
    to_version: int
    data: dict[str, Any]
    lossy_fields: list[str]


class ChangeBody(BaseModel):
    """One change between two versions."""

    path: str
    change: str
    before: Any = None
    after: Any = None
    text: str


class DiffResult(BaseModel):
    """What changed from one version to another, and what that breaks in each direction."""

    subject: str
    from_version: int
    to_version: int
    changes: list[ChangeBody]
    backward: list[str] = Field(description="why the newer schema cannot read the older's data")
    forward: list[str] = Field(description="why the older schema cannot read the newer's data")


_PAYLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"description": "any JSON payload"}}},
    }
}


@router.post(
    "/subjects/{subject:path}/versions/{version}/validate",
    response_model=ValidationResult,
    openapi_extra=_PAYLOAD_BODY,
)
async def validate_payload(
    subject: str, version: str, request: Request, reading: RegistryReading
) -> RegistryJSONResponse:
    """Validate the request body against a subject version; errors come as JSON pointers."""
    registry, _who = reading
    number = parse_version(version)
    registered = registry.validator.cached_version(subject, number)
    if registered is None:
        registered = await run_in_threadpool(registry.validator.resolve, subject, number)
    try:
        payload = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"the payload is not JSON: {exc}") from exc
    violations = registry.validator.violations(registered, payload)
    # Built by hand rather than through the response model: this route is the hot path.
    return RegistryJSONResponse(
        {
            "subject": subject,
            "version": registered.version,
            "id": registered.schema.id,
            "valid": not violations,
            "errors": [
                {"pointer": v.pointer, "schema_pointer": v.schema_pointer, "message": v.message}
                for v in violations
            ],
        }
    )


@router.post("/subjects/{subject:path}/convert", response_model=ConversionResult)
def convert_event(
    subject: str, body: ConversionRequest, _registry: Registry, _who: Reader
) -> ConversionResult:
    """Convert an event's ``data`` between canonical versions with the registered casters.

    The subject is the event type and the versions are canonical versions (``dataversion``).
    """
    try:
        data = convert(subject, body.data, body.from_version, body.to_version)
        lossy = default_registry.lossy_fields(subject, body.from_version, body.to_version)
    except UnknownEventType as exc:
        raise SubjectNotFound(subject) from exc
    except UnknownEventVersion as exc:
        raise VersionNotFound(subject, f"{exc}") from exc
    except NoCastPath as exc:
        raise InvalidRequest(str(exc)) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"/{'/'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidRequest(f"the event data is not valid: {problems}") from exc
    return ConversionResult(
        subject=subject,
        from_version=body.from_version,
        to_version=body.to_version,
        data=data,
        lossy_fields=list(lossy),
    )


@router.get("/subjects/{subject:path}/diff", response_model=DiffResult)
def diff_versions(
    subject: str,
    registry: Registry,
    _who: Reader,
    from_version: Annotated[str, Query(alias="from", description="older version")] = "1",
    to_version: Annotated[str, Query(alias="to", description="newer version or latest")] = "latest",
) -> DiffResult:
    """A readable diff between two versions of a subject, with the compatibility findings."""
    old = registry.store.version(subject, parse_version(from_version), deleted=True)
    new = registry.store.version(subject, parse_version(to_version), deleted=True)
    changes = diff_schemas(old.schema.value, new.schema.value)
    # The findings follow $refs into referenced schemas, as registration checks do.
    before = bundle(old.schema.value, registry.store.resources(old.schema.references))
    after = bundle(new.schema.value, registry.store.resources(new.schema.references))
    return DiffResult(
        subject=subject,
        from_version=old.version,
        to_version=new.version,
        changes=[
            ChangeBody(
                path=c.path, change=c.change, before=c.before, after=c.after, text=c.describe()
            )
            for c in changes
        ],
        backward=[describe(f) for f in check_pair(after, before)],
        forward=[describe(f) for f in check_pair(before, after)],
    )
