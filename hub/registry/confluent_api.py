"""The Confluent Schema Registry REST API (JSON Schema), as existing clients call it.

Routes, bodies and error codes follow Confluent's API reference; where Crossdock differs
it says so in the route's description (e.g. ``schemaType`` defaults to JSON, the only type).
Writes need an admin token and are audited; reads are open unless configured otherwise.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub.registry.access import Admin, Reader, Registry
from hub.registry.content import ERROR_RESPONSES, RegistryJSONResponse
from hub.registry.document import SCHEMA_TYPE, SchemaDocument, parse_schema
from hub.registry.errors import InvalidSchema, NotFound, describe
from hub.registry.store import LATEST, RegisteredVersion, parse_version
from hub.registry.wire import (
    CompatibilityResult,
    ConfigBody,
    ConfigUpdate,
    ModeBody,
    RegisterResult,
    SchemaById,
    SchemaRequest,
    SubjectVersion,
    VersionedSchema,
)

__all__ = ["router"]

router = APIRouter(
    default_response_class=RegistryJSONResponse,
    responses=ERROR_RESPONSES,
    tags=["schema registry (Confluent API)"],
)

Deleted = Annotated[bool, Query(description="include soft-deleted entries")]
Permanent = Annotated[bool, Query(description="hard delete (only after a soft delete)")]
Verbose = Annotated[bool, Query(description="return the reasons in `messages`")]
Fallback = Annotated[
    bool, Query(alias="defaultToGlobal", description="answer the global value when unset")
]


def _document(body: SchemaRequest) -> SchemaDocument:
    if body.references:
        raise InvalidSchema(
            "Schema references are not supported by Crossdock yet: inline the referenced "
            "schema under $defs and refer to it with a local $ref"
        )
    return parse_schema(body.schema_text, body.schema_type)


def _versioned(v: RegisteredVersion) -> VersionedSchema:
    return VersionedSchema(
        subject=v.subject,
        version=v.version,
        id=v.schema.id,
        schema_type=v.schema.schema_type or SCHEMA_TYPE,
        schema_text=v.schema.text,
    )


# -- subjects and versions ---------------------------------------------------------------------
@router.get("/subjects", response_model=list[str])
def list_subjects(
    registry: Registry,
    _who: Reader,
    deleted: Deleted = False,
    deleted_only: Annotated[bool, Query(alias="deletedOnly")] = False,
    subject_prefix: Annotated[str, Query(alias="subjectPrefix")] = "",
) -> list[str]:
    """Subject names, sorted."""
    return registry.store.subjects(
        prefix=subject_prefix, deleted=deleted, deleted_only=deleted_only
    )


@router.get("/subjects/{subject}/versions", response_model=list[int])
def list_versions(
    subject: str, registry: Registry, _who: Reader, deleted: Deleted = False
) -> list[int]:
    """Version numbers of a subject, ascending."""
    return registry.store.versions(subject, deleted=deleted)


@router.post("/subjects/{subject}/versions", response_model=RegisterResult)
def register(subject: str, body: SchemaRequest, registry: Registry, who: Admin) -> RegisterResult:
    """Register a schema under a subject (its existing id when the subject already holds it).

    An incompatible schema answers 409 (40901) naming the version, path and rule broken and a
    hint on how to fix the schema. ``schemaType`` defaults to JSON here (Confluent: AVRO).
    """
    registered = registry.store.register(subject, _document(body), actor=who.actor)
    registry.validator.forget()
    return RegisterResult(id=registered.schema.id)


@router.post("/subjects/{subject}", response_model=VersionedSchema)
def lookup(
    subject: str, body: SchemaRequest, registry: Registry, _who: Reader, deleted: Deleted = False
) -> VersionedSchema:
    """Whether the subject holds this schema, and as which version and id."""
    return _versioned(registry.store.lookup(subject, _document(body), deleted=deleted))


@router.get("/subjects/{subject}/versions/{version}", response_model=VersionedSchema)
def get_version(
    subject: str, version: str, registry: Registry, _who: Reader, deleted: Deleted = False
) -> VersionedSchema:
    """One version of a subject (``latest`` or ``-1`` for the newest live one)."""
    return _versioned(registry.store.version(subject, parse_version(version), deleted=deleted))


@router.get(
    "/subjects/{subject}/versions/{version}/schema",
    response_model=dict[str, object] | bool,
    description="The schema itself (not a string).",
)
def get_version_schema(
    subject: str, version: str, registry: Registry, _who: Reader, deleted: Deleted = False
) -> object:
    """Just the schema of one version."""
    found = registry.store.version(subject, parse_version(version), deleted=deleted)
    return found.schema.value


@router.get("/subjects/{subject}/versions/{version}/referencedby", response_model=list[int])
def referenced_by(subject: str, version: str, registry: Registry, _who: Reader) -> list[int]:
    """Ids of schemas referring to this version: none, as references are not supported yet."""
    registry.store.version(subject, parse_version(version))
    return []


@router.delete("/subjects/{subject}/versions/{version}", response_model=int)
def delete_version(
    subject: str, version: str, registry: Registry, who: Admin, permanent: Permanent = False
) -> int:
    """Soft-delete a version; with ``permanent=true``, remove a soft-deleted one."""
    number = registry.store.delete_version(
        subject, parse_version(version), permanent=permanent, actor=who.actor
    )
    registry.validator.forget()
    return number


@router.delete("/subjects/{subject}", response_model=list[int])
def delete_subject(
    subject: str, registry: Registry, who: Admin, permanent: Permanent = False
) -> list[int]:
    """Soft-delete a subject; with ``permanent=true``, remove a soft-deleted one."""
    numbers = registry.store.delete_subject(subject, permanent=permanent, actor=who.actor)
    registry.validator.forget()
    return numbers


# -- schemas by id -----------------------------------------------------------------------------
@router.get("/schemas/ids/{schema_id}", response_model=SchemaById)
def get_schema(
    schema_id: int, registry: Registry, _who: Reader, subject: str | None = None
) -> SchemaById:
    """The schema with a global id."""
    stored = registry.store.schema(schema_id, subject=subject)
    return SchemaById(schema_type=stored.schema_type or SCHEMA_TYPE, schema_text=stored.text)


@router.get("/schemas/ids/{schema_id}/schema", response_model=dict[str, object] | bool)
def get_schema_only(schema_id: int, registry: Registry, _who: Reader) -> object:
    """Just the schema with a global id (not a string)."""
    return registry.store.schema(schema_id).value


@router.get("/schemas/ids/{schema_id}/versions", response_model=list[SubjectVersion])
def get_schema_versions(
    schema_id: int, registry: Registry, _who: Reader, deleted: Deleted = False
) -> list[SubjectVersion]:
    """The subject versions holding a schema."""
    pairs = registry.store.usages(schema_id, deleted=deleted)
    return [SubjectVersion(subject=s, version=v) for s, v in pairs]


@router.get("/schemas/ids/{schema_id}/subjects", response_model=list[str])
def get_schema_subjects(
    schema_id: int, registry: Registry, _who: Reader, deleted: Deleted = False
) -> list[str]:
    """The subjects holding a schema."""
    return sorted({s for s, _ in registry.store.usages(schema_id, deleted=deleted)})


@router.get("/schemas/types", response_model=list[str])
def schema_types(_who: Reader) -> list[str]:
    """The schema types this registry serves."""
    return [SCHEMA_TYPE]


# -- compatibility -----------------------------------------------------------------------------
def _compatibility(
    registry: Registry, subject: str, body: SchemaRequest, version: int | None, verbose: bool
) -> CompatibilityResult:
    document = _document(body)
    try:
        findings = registry.store.check(subject, document, version)
    except NotFound:
        # Confluent: nothing registered under the subject means nothing to be incompatible with.
        if version not in (None, LATEST):
            raise
        findings = []
    result = CompatibilityResult(is_compatible=not findings)
    if verbose:
        result.messages = [describe(f) for f in findings]
    return result


@router.post(
    "/compatibility/subjects/{subject}/versions/{version}",
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
    """Whether the schema is compatible with one version, at the subject's level."""
    return _compatibility(registry, subject, body, parse_version(version), verbose)


@router.post(
    "/compatibility/subjects/{subject}/versions",
    response_model=CompatibilityResult,
    response_model_exclude_none=True,
)
def compatibility_with_versions(
    subject: str, body: SchemaRequest, registry: Registry, _who: Reader, verbose: Verbose = False
) -> CompatibilityResult:
    """Whether the schema is compatible with the versions the subject's level names."""
    return _compatibility(registry, subject, body, None, verbose)


# -- config and mode ---------------------------------------------------------------------------
@router.get("/config", response_model=ConfigBody, response_model_exclude_none=True)
def get_global_config(registry: Registry, _who: Reader) -> ConfigBody:
    """The global compatibility level (BACKWARD unless set)."""
    return ConfigBody(compatibilityLevel=registry.store.compatibility())


@router.put("/config", response_model=ConfigBody, response_model_exclude_none=True)
def put_global_config(body: ConfigUpdate, registry: Registry, who: Admin) -> ConfigBody:
    """Set the global compatibility level."""
    return ConfigBody(
        compatibility=registry.store.set_compatibility(None, body.compatibility, actor=who.actor)
    )


@router.delete("/config", response_model=ConfigBody, response_model_exclude_none=True)
def delete_global_config(registry: Registry, who: Admin) -> ConfigBody:
    """Reset the global level to BACKWARD; answers the level it had."""
    return ConfigBody(compatibilityLevel=registry.store.delete_compatibility(None, actor=who.actor))


@router.get("/config/{subject}", response_model=ConfigBody, response_model_exclude_none=True)
def get_subject_config(
    subject: str, registry: Registry, _who: Reader, fallback: Fallback = False
) -> ConfigBody:
    """A subject's own level (40408 when unset, unless ``defaultToGlobal=true``)."""
    return ConfigBody(compatibilityLevel=registry.store.compatibility(subject, fallback=fallback))


@router.put("/config/{subject}", response_model=ConfigBody, response_model_exclude_none=True)
def put_subject_config(
    subject: str, body: ConfigUpdate, registry: Registry, who: Admin
) -> ConfigBody:
    """Set a subject's compatibility level."""
    level = registry.store.set_compatibility(subject, body.compatibility, actor=who.actor)
    return ConfigBody(compatibility=level)


@router.delete("/config/{subject}", response_model=ConfigBody, response_model_exclude_none=True)
def delete_subject_config(subject: str, registry: Registry, who: Admin) -> ConfigBody:
    """Drop a subject's level (the global one applies again); answers the level it had."""
    return ConfigBody(
        compatibilityLevel=registry.store.delete_compatibility(subject, actor=who.actor)
    )


@router.get("/mode", response_model=ModeBody)
def get_global_mode(registry: Registry, _who: Reader) -> ModeBody:
    """The global mode (READWRITE unless set)."""
    return ModeBody(mode=registry.store.mode())


@router.put("/mode", response_model=ModeBody)
def put_global_mode(body: ModeBody, registry: Registry, who: Admin) -> ModeBody:
    """Set the global mode: READWRITE, READONLY or READONLY_OVERRIDE (IMPORT: 42204)."""
    return ModeBody(mode=registry.store.set_mode(None, body.mode, actor=who.actor))


@router.get("/mode/{subject}", response_model=ModeBody)
def get_subject_mode(
    subject: str, registry: Registry, _who: Reader, fallback: Fallback = False
) -> ModeBody:
    """A subject's own mode (40409 when unset, unless ``defaultToGlobal=true``)."""
    return ModeBody(mode=registry.store.mode(subject, fallback=fallback))


@router.put("/mode/{subject}", response_model=ModeBody)
def put_subject_mode(subject: str, body: ModeBody, registry: Registry, who: Admin) -> ModeBody:
    """Set a subject's mode."""
    return ModeBody(mode=registry.store.set_mode(subject, body.mode, actor=who.actor))


@router.delete("/mode/{subject}", response_model=ModeBody)
def delete_subject_mode(subject: str, registry: Registry, who: Admin) -> ModeBody:
    """Drop a subject's mode; answers the mode it had."""
    return ModeBody(mode=registry.store.delete_mode(subject, actor=who.actor))


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
