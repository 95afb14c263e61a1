"""The Confluent Schema Registry REST API (JSON Schema), as existing clients call it.

Routes, bodies, status codes, error codes and messages follow Confluent's API reference and,
where the reference is silent, its registry's source (the resources under
``io.confluent.kafka.schemaregistry.rest.resources``); where Crossdock differs it says so in
the route's description (e.g. ``schemaType`` defaults to JSON, the only type). Writes need an
admin token and are audited; reads are open unless configured otherwise.

This module holds the subjects, versions and compatibility routes and mounts the others
(:mod:`hub.registry.confluent_schemas_api`, :mod:`hub.registry.confluent_config_api`).
Subject names may hold any character, ``/`` included (sent as ``%2F``): the ``{subject:subject}``
segments of :mod:`hub.registry.subject_paths` keep an encoded slash inside the name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub.registry.access import Admin, Reader, Registry
from hub.registry.answers import page, versioned
from hub.registry.confluent_config_api import router as config_router
from hub.registry.confluent_schemas_api import router as schemas_router
from hub.registry.content import ERROR_RESPONSES, RegistryJSONResponse
from hub.registry.document import SchemaDocument
from hub.registry.errors import InvalidSchema, NotFound, SchemaNotFound, verdict
from hub.registry.references import Reference
from hub.registry.store import LATEST, parse_version
from hub.registry.subject_paths import register_subject_convertor
from hub.registry.wire import CompatibilityResult, RegisterResult, SchemaRequest, VersionedSchema

__all__ = ["router"]

register_subject_convertor()

router = APIRouter(
    default_response_class=RegistryJSONResponse,
    responses=ERROR_RESPONSES,
    tags=["schema registry (Confluent API)"],
)

Deleted = Annotated[bool, Query(description="include soft-deleted entries")]
DeletedOnly = Annotated[bool, Query(alias="deletedOnly", description="only soft-deleted entries")]
Permanent = Annotated[bool, Query(description="hard delete (only after a soft delete)")]
Verbose = Annotated[bool, Query(description="return the reasons in `messages`")]
Normalize = Annotated[
    bool,
    Query(
        alias="normalize",
        description="sort the schema's keys before storing or matching it (otherwise its "
        "key order is kept, and another order is another schema, as in Confluent)",
    ),
]
Offset = Annotated[int, Query(description="pagination offset")]
Limit = Annotated[int, Query(description="pagination size; ignored when not positive")]


def _wanted(body: SchemaRequest) -> tuple[Reference, ...]:
    return tuple(Reference(r.name, r.subject, r.version) for r in body.references or ())


def _document(
    registry: Registry, body: SchemaRequest, *, new: bool = True, normalize: bool = False
) -> SchemaDocument:
    return registry.store.document(
        body.schema_text, body.schema_type, _wanted(body), new=new, normalize=normalize
    )


# -- root ----------------------------------------------------------------------------------
@router.get("/", response_model=dict[str, str])
def root(_who: Reader) -> dict[str, str]:
    """Schema Registry root resource: a no-op answering ``{}``, for liveness checks."""
    return {}


@router.post("/", response_model=dict[str, str])
def post_root(_who: Reader) -> dict[str, str]:
    """The root resource for posted entities: answers ``{}``."""
    return {}


# -- subjects and versions ---------------------------------------------------------------------
@router.get("/subjects", response_model=list[str])
def list_subjects(
    registry: Registry,
    _who: Reader,
    *,
    deleted: Deleted = False,
    deleted_only: DeletedOnly = False,
    subject_prefix: Annotated[str, Query(alias="subjectPrefix")] = "",
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[str]:
    """List subjects: names sorted; soft-deleted ones with ``deleted``, only them with
    ``deletedOnly``."""
    names = registry.store.subjects(
        prefix=subject_prefix, deleted=deleted, deleted_only=deleted_only
    )
    return page(names, offset, limit)


@router.get(
    "/subjects/{subject:subject}/versions/{version}/schema",
    response_model=dict[str, object] | bool,
    description="The schema itself (not a string).",
)
def get_version_schema(
    subject: str, version: str, registry: Registry, _who: Reader, deleted: Deleted = False
) -> object:
    """Get schema string by version: just the schema of one version."""
    found = registry.store.version(subject, parse_version(version), deleted=deleted)
    return found.schema.value


@router.get("/subjects/{subject:subject}/versions/{version}/referencedby", response_model=list[int])
def referenced_by(
    subject: str,
    version: str,
    registry: Registry,
    _who: Reader,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[int]:
    """List schemas referencing a schema: ids of live schemas whose references name it."""
    ids = registry.store.referenced_by(subject, parse_version(version))
    return page(ids, offset, limit)


@router.get(
    "/subjects/{subject:subject}/versions/{version}",
    response_model=VersionedSchema,
    response_model_exclude_none=True,
)
def get_version(
    subject: str, version: str, registry: Registry, _who: Reader, deleted: Deleted = False
) -> VersionedSchema:
    """Get schema by version (``latest`` or ``-1`` for the newest live one).

    With ``deleted=true`` the answer says whether the version is soft-deleted (``deleted``),
    as Karapace and Confluent's newer answers do; without, the body is the classic one.
    """
    found = registry.store.version(subject, parse_version(version), deleted=deleted)
    return versioned(found, with_deleted=deleted)


@router.delete("/subjects/{subject:subject}/versions/{version}", response_model=int)
def delete_version(
    subject: str, version: str, registry: Registry, who: Admin, permanent: Permanent = False
) -> int:
    """Delete schema version: soft, or with ``permanent=true`` a soft-deleted one for good.

    A version that live schemas still refer to is refused (42206).
    """
    number = registry.store.delete_version(
        subject, parse_version(version), permanent=permanent, actor=who.actor
    )
    registry.validator.forget()
    return number


@router.get("/subjects/{subject:subject}/versions", response_model=list[int])
def list_versions(
    subject: str,
    registry: Registry,
    _who: Reader,
    *,
    deleted: Deleted = False,
    deleted_only: DeletedOnly = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[int]:
    """List versions under subject, ascending."""
    numbers = registry.store.versions(subject, deleted=deleted, deleted_only=deleted_only)
    return page(numbers, offset, limit)


@router.post("/subjects/{subject:subject}/versions", response_model=RegisterResult)
def register(
    subject: str,
    body: SchemaRequest,
    registry: Registry,
    who: Admin,
    normalize: Normalize = False,
) -> RegisterResult:
    """Register schema under a subject (its existing id when the subject already holds it).

    ``references`` name versions of other subjects that ``$ref`` s reach by ``name`` or by
    the referenced schema's ``$id``. An incompatible schema answers 409 (40901) naming the
    version, path and rule broken and a hint on how to fix it. A body without a schema
    re-registers the latest version, as Confluent does. ``schemaType`` defaults to JSON here
    (Confluent: AVRO). ``id`` and ``version`` import the schema as them: the subject must be
    in IMPORT mode (42205 otherwise), and a registration without them is refused there.
    """
    if not (body.schema_text or "").strip():
        try:
            latest = registry.store.version(subject, LATEST)
        except NotFound:
            raise InvalidSchema("Empty schema") from None
        document = registry.store.document(
            latest.schema.text, None, latest.schema.references, normalize=normalize
        )
    else:
        document = _document(registry, body, normalize=normalize)
    registered = registry.store.register(
        subject, document, actor=who.actor, schema_id=body.id, version=body.version
    )
    registry.validator.forget()
    return RegisterResult(id=registered.schema.id)


@router.get(
    "/subjects/{subject:subject}/metadata",
    response_model=VersionedSchema,
    response_model_exclude_none=True,
)
def latest_with_metadata(
    subject: str, registry: Registry, _who: Reader, deleted: Deleted = False
) -> VersionedSchema:
    """Retrieve the latest version with the given metadata: Crossdock keeps no metadata, so
    this answers 40403 for a subject that exists (40401 otherwise), as Confluent does for a
    subject whose versions carry none."""
    registry.store.versions(subject, deleted=deleted)
    raise SchemaNotFound()


@router.post(
    "/subjects/{subject:subject}",
    response_model=VersionedSchema,
    response_model_exclude_none=True,
)
def lookup(
    subject: str,
    body: SchemaRequest,
    registry: Registry,
    _who: Reader,
    deleted: Deleted = False,
    normalize: Normalize = False,
) -> VersionedSchema:
    """Lookup schema under subject: whether it holds this schema, as which version and id."""
    document = (
        _document(registry, body, new=False, normalize=normalize) if body.schema_text else None
    )
    found = registry.store.lookup(subject, document, deleted=deleted)
    return versioned(found, with_deleted=deleted)


@router.delete("/subjects/{subject:subject}", response_model=list[int])
def delete_subject(
    subject: str, registry: Registry, who: Admin, permanent: Permanent = False
) -> list[int]:
    """Delete subject: soft, or with ``permanent=true`` a soft-deleted one for good.

    Its own compatibility level and mode go with it, as in Confluent.
    """
    numbers = registry.store.delete_subject(subject, permanent=permanent, actor=who.actor)
    registry.validator.forget()
    return numbers


# -- compatibility -----------------------------------------------------------------------------
def _compatibility(
    registry: Registry, subject: str, body: SchemaRequest, version: int | None, verbose: bool
) -> CompatibilityResult:
    try:
        findings = registry.store.check(
            subject, version, body.schema_text, body.schema_type, _wanted(body)
        )
    except InvalidSchema as exc:
        # Confluent: with verbose, an invalid schema is an incompatible one, saying why.
        if not verbose:
            raise
        return CompatibilityResult(is_compatible=False, messages=[exc.message])
    result = CompatibilityResult(is_compatible=not findings)
    if verbose:
        result.messages = verdict(registry.store.config.compatibility(subject), findings)
    return result


@router.post(
    "/compatibility/subjects/{subject:subject}/versions/{version}",
    response_model=CompatibilityResult,
    response_model_exclude_none=True,
)
def compatibility_with_version(
    subject: str,
    version: str,
    body: SchemaRequest,
    registry: Registry,
    _who: Reader,
    verbose: Verbose = False,
) -> CompatibilityResult:
    """Test schema compatibility against a particular schema subject-version.

    A version that is not there answers 40402 even when the subject is missing, and
    ``latest`` of an empty subject is compatible, as in Confluent.
    """
    return _compatibility(registry, subject, body, parse_version(version), verbose)


@router.post(
    "/compatibility/subjects/{subject:subject}/versions",
    response_model=CompatibilityResult,
    response_model_exclude_none=True,
)
def compatibility_with_versions(
    subject: str, body: SchemaRequest, registry: Registry, _who: Reader, verbose: Verbose = False
) -> CompatibilityResult:
    """Test schema compatibility against all schemas under a subject, by its level."""
    return _compatibility(registry, subject, body, None, verbose)


# -- what newer clients ask first ----------------------------------------------------------------
@router.get("/associations/resources/{namespace}/{resource}", status_code=404)
def associations(namespace: str, resource: str) -> RegistryJSONResponse:
    """Always 404: Crossdock keeps no topic associations.

    confluent-kafka 2.16's serializers ask this first and fall back to the topic name strategy
    on a 404 (any other answer breaks them).
    """
    return RegistryJSONResponse(
        {
            "error_code": 404,
            "message": f"No associations for resource '{resource}' in '{namespace}': "
            "subjects follow the topic name strategy",
        },
        status_code=404,
    )


router.include_router(schemas_router)
router.include_router(config_router)
