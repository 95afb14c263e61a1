"""A schema as the registry keeps it: parsed, checked against its meta-schema, canonical text.

Two registrations of the same schema written with other whitespace or key order are one
schema: the canonical text (sorted keys, no insignificant whitespace) is what is stored and
served, and its SHA-256 (with its references, when it has any: the same text referring to
other versions is another schema, as in Confluent) is the key that deduplicates global ids.

A schema without ``$schema`` is read as draft-07, Confluent's default (so ``items: [...]`` is a
tuple); one that declares draft 4, 6, 7, 2019-09 or 2020-12 is read as that draft.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from hub.registry.errors import InvalidSchema
from hub.registry.references import Reference, registry_for

__all__ = [
    "DEFAULT_DIALECT",
    "SCHEMA_TYPE",
    "SchemaDocument",
    "canonical_text",
    "compile_validator",
    "fingerprint",
    "parse_schema",
]

SCHEMA_TYPE = "JSON"
"""The one ``schemaType`` Crossdock serves."""

_OTHER_TYPES = {"AVRO", "PROTOBUF"}
# The dialects the meta-schema check knows offline; any other "$schema" would make it try to
# download the meta-schema, which a registry must never do on a client's say-so.
_DIALECTS = {
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
}


DEFAULT_DIALECT = "http://json-schema.org/draft-07/schema#"
"""The draft of a schema that declares none (Confluent's default)."""


@dataclass(frozen=True, slots=True)
class SchemaDocument:
    """A checked JSON Schema: its parsed value, canonical text, references and fingerprint.

    ``resources`` holds every schema its references reach (by reference name, transitively),
    for resolving its ``$ref`` s; it is not part of the schema's identity.
    """

    value: Any
    text: str
    fingerprint: str
    references: tuple[Reference, ...] = ()
    resources: Mapping[str, Any] = field(default_factory=dict)


def canonical_text(value: Any) -> str:
    """The canonical JSON text of ``value``: sorted keys, compact, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(text: str, references: Sequence[Reference] = ()) -> str:
    """The identity of a schema: its canonical text and, in order, what it refers to."""
    key = text
    if references:
        key += "\n" + canonical_text([[r.name, r.subject, r.version] for r in references])
    return hashlib.sha256(key.encode()).hexdigest()


def compile_validator(
    value: Any, resources: Mapping[str, Any] | None = None
) -> jsonschema_rs.Validator:
    """The ``jsonschema-rs`` validator of a schema, in its draft, references resolved offline.

    Raises ``jsonschema_rs.ValidationError`` when a ``$ref`` reaches nothing.
    """
    cls: type[jsonschema_rs.Validator] = jsonschema_rs.Draft7Validator
    if isinstance(value, dict) and "$schema" in value:
        cls = jsonschema_rs.validator_cls_for(value)
    return cls(value, registry=registry_for(value, resources or {}), offline=True)


def parse_schema(
    text: str | None,
    schema_type: str | None = SCHEMA_TYPE,
    references: Sequence[Reference] = (),
    resources: Mapping[str, Any] | None = None,
) -> SchemaDocument:
    """Parse and check ``text`` as a JSON Schema; raise ``InvalidSchema`` saying what is wrong.

    ``references`` are the schema's references (versions already resolved) and ``resources``
    the schemas they reach, by name; every ``$ref`` must resolve, offline.
    """
    kind = (schema_type or SCHEMA_TYPE).upper()
    if kind in _OTHER_TYPES:
        raise InvalidSchema(
            f"schemaType {kind} is not supported: Crossdock's registry serves JSON Schema only "
            '(send "schemaType": "JSON")'
        )
    if kind != SCHEMA_TYPE:
        raise InvalidSchema(f"Invalid schema type {schema_type}")
    if text is None or not text.strip():
        raise InvalidSchema("Empty schema")
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidSchema(f"Invalid schema: not JSON: {exc}") from exc
    if not isinstance(value, dict | bool):
        raise InvalidSchema(
            f"Invalid schema: a JSON Schema is an object or a boolean, not {type(value).__name__}"
        )
    resources = dict(resources or {})
    if isinstance(value, dict):
        _check_dialect(value.get("$schema"))
        try:
            jsonschema_rs.meta.validate(
                value if "$schema" in value else {**value, "$schema": DEFAULT_DIALECT}
            )
        except jsonschema_rs.ValidationError as exc:
            where = "/" + "/".join(str(p) for p in exc.instance_path)
            raise InvalidSchema(
                f"Invalid schema: at {where}: {_first_line(exc)} (an Avro or Protobuf schema? "
                "Crossdock serves JSON Schema only)"
            ) from exc
        try:
            # Compiling also finds $refs that point nowhere; one that no reference answers
            # is refused rather than fetched.
            compile_validator(value, resources)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as exc:
            raise InvalidSchema(
                f"Invalid schema: {_first_line(exc)} (a $ref to another subject needs a "
                'reference: "references": [{"name": ..., "subject": ..., "version": ...}])'
                if "not present in a registry" in str(exc)
                else f"Invalid schema: {_first_line(exc)}"
            ) from exc
    text = canonical_text(value)
    refs = tuple(references)
    return SchemaDocument(value, text, fingerprint(text, refs), refs, resources)


def _first_line(exc: Exception) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _check_dialect(dialect: object) -> None:
    if dialect is None:
        return
    if not isinstance(dialect, str) or dialect.rstrip("#") not in _DIALECTS:
        raise InvalidSchema(
            f"Invalid schema: unknown $schema {dialect!r}; use one of the JSON Schema drafts "
            "4, 6, 7, 2019-09 or 2020-12 (https://json-schema.org/draft/2020-12/schema)"
        )
