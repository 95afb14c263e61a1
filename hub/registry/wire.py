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
    """A reference to a schema in another subject (not supported yet; must be empty)."""

    name: str
    subject: str
    version: int


class SchemaRequest(_Lenient):
    """A schema sent to register, look up or test."""

    # "schema" would shadow a (deprecated) BaseModel attribute, hence the alias.
    schema_text: str = Field(alias="schema", description="the schema as a JSON string")
    schema_type: str | None = Field(
        None, alias="schemaType", description="JSON (the default here; AVRO/PROTOBUF are refused)"
    )
    references: list[SchemaReference] | None = None


class RegisterResult(BaseModel):
    """The global id of the registered (or already registered) schema."""

    id: int


class VersionedSchema(BaseModel):
    """One version of a subject."""

    model_config = ConfigDict(populate_by_name=True)

    subject: str
    version: int
    id: int
    schema_type: str = Field(alias="schemaType")
    schema_text: str = Field(alias="schema")


class SchemaById(BaseModel):
    """A schema fetched by global id."""

    model_config = ConfigDict(populate_by_name=True)

    schema_type: str = Field(alias="schemaType")
    schema_text: str = Field(alias="schema")


class SubjectVersion(BaseModel):
    """A subject and one of its versions."""

    subject: str
    version: int


class CompatibilityResult(BaseModel):
    """Whether the schema is compatible; ``messages`` (with ``?verbose=true``) says why not."""

    is_compatible: bool
    messages: list[str] | None = None


class ConfigUpdate(_Lenient):
    """A new compatibility level."""

    compatibility: str


class ConfigBody(BaseModel):
    """A compatibility level as GET/PUT/DELETE /config answer it."""

    compatibility_level: str | None = Field(None, alias="compatibilityLevel")
    compatibility: str | None = None


class ModeBody(_Lenient):
    """A mode: READWRITE, READONLY or READONLY_OVERRIDE."""

    mode: str


class ErrorBody(BaseModel):
    """Confluent's error body."""

    error_code: int
    message: str


def dump(model: BaseModel) -> dict[str, Any]:
    """The wire form of ``model``: aliases, no unset optional fields."""
    return model.model_dump(by_alias=True, exclude_none=True)
