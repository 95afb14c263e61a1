"""A schema as the registry keeps it: parsed, checked against its meta-schema, canonical text.

Two registrations of the same schema written with other whitespace or key order are one
schema: the canonical text (sorted keys, no insignificant whitespace) is what is stored and
served, and its SHA-256 is the key that deduplicates global ids.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from hub.registry.errors import InvalidSchema

__all__ = ["SCHEMA_TYPE", "SchemaDocument", "canonical_text", "parse_schema"]

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


@dataclass(frozen=True, slots=True)
class SchemaDocument:
    """A checked JSON Schema: its parsed value, canonical text and fingerprint."""

    value: Any
    text: str
    fingerprint: str


def canonical_text(value: Any) -> str:
    """The canonical JSON text of ``value``: sorted keys, compact, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_schema(text: str, schema_type: str | None = SCHEMA_TYPE) -> SchemaDocument:
    """Parse and check ``text`` as a JSON Schema; raise ``InvalidSchema`` saying what is wrong."""
    kind = (schema_type or SCHEMA_TYPE).upper()
    if kind in _OTHER_TYPES:
        raise InvalidSchema(
            f"schemaType {kind} is not supported: Crossdock's registry serves JSON Schema only "
            '(send "schemaType": "JSON")'
        )
    if kind != SCHEMA_TYPE:
        raise InvalidSchema(f"unknown schemaType {schema_type!r}; the supported type is JSON")
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidSchema(f"Invalid schema: not JSON: {exc}") from exc
    if not isinstance(value, dict | bool):
        raise InvalidSchema(
            f"Invalid schema: a JSON Schema is an object or a boolean, not {type(value).__name__}"
        )
    if isinstance(value, dict):
        _check_dialect(value.get("$schema"))
        try:
            jsonschema_rs.meta.validate(value)
            # Compiling also finds local $refs that point nowhere; remote ones are refused
            # rather than fetched.
            jsonschema_rs.validator_for(value, offline=True)
        except jsonschema_rs.ValidationError as exc:
            where = "/" + "/".join(str(p) for p in exc.instance_path)
            first_line = str(exc).splitlines()[0] if str(exc) else exc.message
            raise InvalidSchema(
                f"Invalid schema: at {where}: {first_line} (an Avro or Protobuf schema? "
                "Crossdock serves JSON Schema only)"
            ) from exc
        except jsonschema_rs.ReferencingError as exc:
            raise InvalidSchema(f"Invalid schema: {str(exc).splitlines()[0]}") from exc
    text = canonical_text(value)
    return SchemaDocument(value, text, hashlib.sha256(text.encode()).hexdigest())


def _check_dialect(dialect: object) -> None:
    if dialect is None:
        return
    if not isinstance(dialect, str) or dialect.rstrip("#") not in _DIALECTS:
        raise InvalidSchema(
            f"Invalid schema: unknown $schema {dialect!r}; use one of the JSON Schema drafts "
            "4, 6, 7, 2019-09 or 2020-12 (https://json-schema.org/draft/2020-12/schema)"
        )
