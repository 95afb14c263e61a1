"""A schema as the registry keeps it: parsed, checked against its meta-schema, canonical text.

As in Confluent (``JsonSchema.canonicalString``: Jackson's compact JSON of the parsed tree),
the canonical text is the schema's JSON with no insignificant whitespace, its keys in the
order the client wrote them and non-ASCII characters kept as they are; it is what is stored
and served, and with its references (the same text referring to other versions is another
schema) it is the identity that deduplicates global ids. The same schema with its keys in
another order is therefore another schema, unless it is sent with ``normalize=true``, which
sorts every object's keys first (Confluent's ``JsonSchema.normalize``).

Registries made before this kept the text with sorted keys, under a fingerprint of that text
alone. New fingerprints carry a prefix, so a row stored before is told apart without a
migration: a schema whose sorted form is such a row's text still finds it
(``SchemaDocument.fingerprints``), and an upgrade makes no duplicate versions.

A schema without ``$schema`` is read as draft-07, Confluent's default (so ``items: [...]`` is a
tuple); one that declares draft 4, 6, 7, 2019-09 or 2020-12 (by its http or https URI) is read
as that draft.
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
    "dialect_of",
    "fingerprint",
    "parse_schema",
    "sorted_text",
]

SCHEMA_TYPE = "JSON"
"""The one ``schemaType`` Crossdock serves."""

_OTHER_TYPES = {"AVRO", "PROTOBUF"}

DEFAULT_DIALECT = "http://json-schema.org/draft-07/schema#"
"""The draft of a schema that declares none (Confluent's default)."""

# The dialects the meta-schema check knows offline, by URI without scheme or fragment, and
# the URI the validator knows each by: http and https name the same draft, as in Confluent's
# (and its loader's) list of meta-schema URLs. Any other "$schema" would make the check try
# to download the meta-schema, which a registry must never do on a client's say-so.
_DIALECTS = {
    "json-schema.org/draft-04/schema": "http://json-schema.org/draft-04/schema#",
    "json-schema.org/draft-06/schema": "http://json-schema.org/draft-06/schema#",
    "json-schema.org/draft-07/schema": DEFAULT_DIALECT,
    "json-schema.org/draft/2019-09/schema": "https://json-schema.org/draft/2019-09/schema",
    "json-schema.org/draft/2020-12/schema": "https://json-schema.org/draft/2020-12/schema",
}


@dataclass(frozen=True, slots=True)
class SchemaDocument:
    """A checked JSON Schema: its parsed value, canonical text, references and fingerprint.

    ``resources`` holds every schema its references reach (by reference name, transitively),
    for resolving its ``$ref`` s; it is not part of the schema's identity.
    ``sorted_fingerprint`` is the key a registry made before key order was kept stored the
    same schema under (see the module's docstring).
    """

    value: Any
    text: str
    fingerprint: str
    references: tuple[Reference, ...] = ()
    resources: Mapping[str, Any] = field(default_factory=dict)
    sorted_fingerprint: str = ""

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """The keys a stored row of this schema may have: its own, then the sorted one."""
        return (
            (self.fingerprint, self.sorted_fingerprint)
            if self.sorted_fingerprint
            else (self.fingerprint,)
        )


# Prefixed to the key of every fingerprint made since stored text keeps its key order: a
# fingerprint without it is a row stored before, whose text has sorted keys.
_ORDERED = "ordered\n"


def canonical_text(value: Any) -> str:
    """The canonical JSON text of ``value``: compact, keys in their order, UTF-8 kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sorted_text(value: Any) -> str:
    """The canonical text of ``value`` with every object's keys sorted (``normalize``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(text: str, references: Sequence[Reference] = (), *, ordered: bool = True) -> str:
    """The identity of a schema: its canonical text and, in order, what it refers to.

    ``ordered=False`` gives the key of a row stored before key order was kept (``text`` then
    being the sorted text).
    """
    key = text
    if references:
        key += "\n" + canonical_text([[r.name, r.subject, r.version] for r in references])
    if ordered:
        key = _ORDERED + key
    return hashlib.sha256(key.encode()).hexdigest()


def compile_validator(
    value: Any, resources: Mapping[str, Any] | None = None
) -> jsonschema_rs.Validator:
    """The ``jsonschema-rs`` validator of a schema, in its draft, references resolved offline.

    Raises ``jsonschema_rs.ValidationError`` when a ``$ref`` reaches nothing.
    """
    cls: type[jsonschema_rs.Validator] = jsonschema_rs.Draft7Validator
    if isinstance(value, dict) and "$schema" in value:
        cls = jsonschema_rs.validator_cls_for({"$schema": dialect_of(value)})
    return cls(value, registry=registry_for(value, resources or {}), offline=True)


def dialect_of(value: Mapping[str, Any]) -> str:
    """The draft a schema is read in, as the validator names it; ``InvalidSchema`` when its
    ``$schema`` names none of drafts 4, 6, 7, 2019-09 and 2020-12 (absent: draft-07)."""
    declared = value.get("$schema")
    if declared is None:
        return DEFAULT_DIALECT
    if isinstance(declared, str):
        scheme, sep, rest = declared.partition("://")
        known = _DIALECTS.get(rest.split("#")[0]) if sep else None
        if known is not None and scheme.lower() in ("http", "https"):
            return known
    raise InvalidSchema(
        f"Invalid schema: unknown $schema {declared!r}; use one of the JSON Schema drafts "
        "4, 6, 7, 2019-09 or 2020-12 (https://json-schema.org/draft/2020-12/schema)"
    )


def parse_schema(
    text: str | None,
    schema_type: str | None = SCHEMA_TYPE,
    references: Sequence[Reference] = (),
    resources: Mapping[str, Any] | None = None,
    *,
    normalize: bool = False,
) -> SchemaDocument:
    """Parse and check ``text`` as a JSON Schema; raise ``InvalidSchema`` saying what is wrong.

    ``references`` are the schema's references (versions already resolved) and ``resources``
    the schemas they reach, by name; every ``$ref`` must resolve, offline. With ``normalize``
    the schema's keys are sorted before its text and identity are taken.
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
        dialect = dialect_of(value)
        try:
            jsonschema_rs.meta.validate({**value, "$schema": dialect})
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
    sorted_form = sorted_text(value)
    if normalize:
        value = json.loads(sorted_form)
    text = canonical_text(value)
    refs = tuple(references)
    return SchemaDocument(
        value,
        text,
        fingerprint(text, refs),
        refs,
        resources,
        fingerprint(sorted_form, refs, ordered=False),
    )


def _first_line(exc: Exception) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
