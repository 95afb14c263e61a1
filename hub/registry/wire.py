"""Request and response bodies of the Confluent-compatible API, as Confluent documents them.

Requests accept unknown fields (newer clients send ``metadata`` and ``ruleSet``) and ignore
them; responses carry only documented fields, and every read of a schema carries
``schemaType`` because the Python client assumes AVRO when it is missing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CompatibilityResult",
    "ConfigBody",
    "ConfigUpdate",
    "ErrorBody",
    "ModeBody",
    "ModeUpdate",
    "RegisterResult",
    "SchemaById",
    "SchemaReference",
    "SchemaRequest",
    "SubjectVersion",
    "VersionedSchema",
]


class _Lenient(BaseModel):
    """Unknown fields are accepted and dropped."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SchemaReference(_Lenient):
    """A reference to a version of another subject: ``$ref`` s naming ``name`` reach it.

    ``version`` -1 means the subject's latest version at registration (stored as its number).
    """

    name: str
    subject: str
    # a 32-bit integer, as Confluent's entity holds it (beyond is a mapping error, 400)
    version: int = Field(ge=-(2**31), le=2**31 - 1)


class SchemaRequest(_Lenient):
    """A schema sent to register, look up or test."""

    # "schema" would shadow a (deprecated) BaseModel attribute, hence the alias. Optional on
    # the wire: a missing schema is Confluent's "Empty schema" (42201), not a 422.
    schema_text: str | None = Field(None, alias="schema", description="the schema as a JSON string")
    schema_type: str | None = Field(
        None, alias="schemaType", description="JSON (the default here; AVRO/PROTOBUF are refused)"
    )
    references: list[SchemaReference] | None = None
    # Only a registration in IMPORT mode may bring its own (Confluent: a negative id or a
    # version not above 0 means none).
    id: int | None = Field(None, ge=-(2**31), le=2**31 - 1, description="IMPORT mode only")
    version: int | None = Field(None, ge=-(2**31), le=2**31 - 1, description="IMPORT mode only")


class RegisterResult(BaseModel):
    """The global id of the registered (or already registered) schema."""

    id: int


class VersionedSchema(BaseModel):
    """One version of a subject (``references`` only when it has some, as Confluent answers)."""

    model_config = ConfigDict(populate_by_name=True)

    subject: str
    version: int
    id: int
    schema_type: str = Field(alias="schemaType")
    references: list[SchemaReference] | None = None
    schema_text: str = Field(alias="schema")
    deleted: bool | None = Field(None, description="whether soft-deleted (with ?deleted=true)")


class SchemaById(BaseModel):
    """A schema fetched by global id; ``maxId`` and ``subjects`` only when asked for."""

    model_config = ConfigDict(populate_by_name=True)

    schema_type: str = Field(alias="schemaType")
    references: list[SchemaReference] | None = None
    schema_text: str = Field(alias="schema")
    max_id: int | None = Field(None, alias="maxId")
    subjects: list[str] | None = None


class SubjectVersion(BaseModel):
    """A subject and one of its versions."""

    subject: str
    version: int


class CompatibilityResult(BaseModel):
    """Whether the schema is compatible; ``messages`` (with ``?verbose=true``) says why not."""

    is_compatible: bool
    messages: list[str] | None = None


class ConfigUpdate(_Lenient):
    """A new compatibility level (a missing one is an invalid level, 42203)."""

    compatibility: str | None = None


class ConfigBody(BaseModel):
    """A compatibility level as GET/PUT/DELETE /config answer it."""

    compatibility_level: str | None = Field(None, alias="compatibilityLevel")
    compatibility: str | None = None


class ModeBody(_Lenient):
    """A mode: READWRITE, READONLY or READONLY_OVERRIDE."""

    mode: str


class ModeUpdate(_Lenient):
    """A new mode (a missing one is an invalid mode, 42204)."""

    mode: str | None = None


class ErrorBody(BaseModel):
    """Confluent's error body."""

    error_code: int
    message: str


def dump(model: BaseModel) -> dict[str, Any]:
    """The wire form of ``model``: aliases, no unset optional fields."""
    return model.model_dump(by_alias=True, exclude_none=True)
