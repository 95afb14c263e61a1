"""Confluent's "Schemas (v1)" routes, and the server-level ones: contexts and server metadata.

A schema id in a path that is not a number answers Confluent's plain 404 (its JAX-RS layer
cannot convert the parameter), not a validation error: the id is taken as text here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from hub.registry.access import Reader, Registry
from hub.registry.answers import page, references_of, versioned
from hub.registry.content import ERROR_RESPONSES, RegistryJSONResponse
from hub.registry.document import SCHEMA_TYPE
from hub.registry.errors import NotFound
from hub.registry.wire import SchemaById, SubjectVersion, VersionedSchema

__all__ = ["router"]

router = APIRouter(
    default_response_class=RegistryJSONResponse,
    responses=ERROR_RESPONSES,
    tags=["schema registry (Confluent API)"],
)

Deleted = Annotated[bool, Query(description="include soft-deleted entries")]
Offset = Annotated[int, Query(description="pagination offset")]
Limit = Annotated[int, Query(description="pagination size; ignored when not positive")]
Subject = Annotated[
    str | None,
    Query(alias="subject", description="accepted; one context here, so it filters nothing"),
]
Format = Annotated[
    str, Query(alias="format", description="accepted; no formats apply to JSON Schema")
]

_SCHEMA_SEARCH_LIMIT = 1000
"""Confluent's default and largest page of ``GET /schemas`` (schema.search.*.limit)."""


class _PathNotFound(NotFound):
    """A path that names nothing, answered as Confluent's web layer does."""

    error_code = 404

    def __init__(self) -> None:
        super().__init__("HTTP 404 Not Found")


def _schema_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _PathNotFound() from None


@router.get("/schemas", response_model=list[VersionedSchema], response_model_exclude_none=True)
def list_schemas(
    registry: Registry,
    _who: Reader,
    *,
    subject_prefix: Annotated[str, Query(alias="subjectPrefix")] = "",
    deleted: Deleted = False,
    latest_only: Annotated[bool, Query(alias="latestOnly")] = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[VersionedSchema]:
    """List schemas: every subject version (by subject, then version) matching the filters.

    A page holds at most 1000, Confluent's default and largest.
    """
    found = registry.store.listing(prefix=subject_prefix, deleted=deleted, latest_only=latest_only)
    size = limit if 0 < limit <= _SCHEMA_SEARCH_LIMIT else _SCHEMA_SEARCH_LIMIT
    return [versioned(v) for v in page(found, offset, size)]


@router.get("/schemas/types", response_model=list[str])
def schema_types(_who: Reader) -> list[str]:
    """List supported schema types: JSON only (AVRO and PROTOBUF are refused with 42201)."""
    return [SCHEMA_TYPE]


@router.get("/schemas/ids/{schema_id}", response_model=SchemaById, response_model_exclude_none=True)
def get_schema(
    schema_id: str,
    registry: Registry,
    _who: Reader,
    _subject: Subject = None,
    _format: Format = "",
    fetch_max_id: Annotated[bool, Query(alias="fetchMaxId")] = False,
    include_subjects: Annotated[
        bool, Query(alias="includeSubjects", description="add the live subjects holding it")
    ] = False,
) -> SchemaById:
    """Get schema string by ID, with its references; ``maxId`` and ``subjects`` on request."""
    number = _schema_id(schema_id)
    stored = registry.store.schema(number)
    answer = SchemaById(
        schema_type=stored.schema_type,
        references=references_of(stored.references),
        schema_text=stored.text,
    )
    if fetch_max_id:
        answer.max_id = registry.store.max_schema_id()
    if include_subjects:
        answer.subjects = sorted({s for s, _ in registry.store.usages(number)})
    return answer


@router.get("/schemas/ids/{schema_id}/schema", response_model=dict[str, object] | bool)
def get_schema_only(
    schema_id: str, registry: Registry, _who: Reader, _subject: Subject = None
) -> object:
    """Get schema by ID: the schema itself (not a string)."""
    return registry.store.schema(_schema_id(schema_id)).value


@router.get("/schemas/ids/{schema_id}/versions", response_model=list[SubjectVersion])
def get_schema_versions(
    schema_id: str,
    registry: Registry,
    _who: Reader,
    _subject: Subject = None,
    deleted: Deleted = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[SubjectVersion]:
    """List subject-versions associated to schema ID.

    Empty (200) when every version holding it is soft-deleted; 40403 once none holds it.
    """
    pairs = registry.store.usages(_schema_id(schema_id), deleted=deleted)
    return [SubjectVersion(subject=s, version=v) for s, v in page(pairs, offset, limit)]


@router.get("/schemas/ids/{schema_id}/subjects", response_model=list[str])
def get_schema_subjects(
    schema_id: str,
    registry: Registry,
    _who: Reader,
    _subject: Subject = None,
    deleted: Deleted = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[str]:
    """List subjects associated to schema ID (empty when all their versions are deleted)."""
    pairs = registry.store.usages(_schema_id(schema_id), deleted=deleted)
    return page(sorted({s for s, _ in pairs}), offset, limit)


@router.get("/contexts", response_model=list[str])
def list_contexts(_who: Reader) -> list[str]:
    """List contexts: the default context only (Crossdock has no others)."""
    return ["."]


@router.get("/v1/metadata/id", response_model=dict[str, object])
def server_id(_who: Reader) -> dict[str, object]:
    """Get the server metadata: the scope of this registry (no Kafka cluster behind it)."""
    return {"scope": {"path": [], "clusters": {"schema-registry-cluster": "crossdock"}}}


@router.get("/v1/metadata/version", response_model=dict[str, str])
def server_version(request: Request, _who: Reader) -> dict[str, str]:
    """Get the schema registry server version: Crossdock's (the app's version)."""
    return {"version": str(request.app.version), "commitId": ""}
