"""Reading a JSON Schema the way the compatibility checker needs it.

The checker compares schemas structurally, as the reference registries do, so every node is
first brought into one of four shapes (:func:`shape_of`): an ``allOf`` of parts, a union
(``anyOf``/``oneOf``, a ``type`` list, a mixed-type ``enum``), a ``not``, or a plain schema
of one *kind* (a JSON type). Local ``$ref`` s are resolved against the document they come from;
references to other subjects are bundled into it first (:func:`hub.registry.references.bundle`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

# jsonschema ships no type information; only validator_for is used, on JSON values.
from jsonschema.validators import (  # type: ignore[import-untyped]
    Draft7Validator,
    validator_for,
)

from hub.errors import HubError

__all__ = [
    "ANY",
    "Document",
    "Part",
    "Shape",
    "UnresolvableReference",
    "canonical",
    "child",
    "finite_values",
    "has_ref",
    "is_open_slot",
    "json_type",
    "kind_of",
    "shape_of",
]

ANY: Mapping[str, Any] = {}
"""The accept-everything schema ``true``, as an (immutable by convention) shared mapping."""

# Keywords that never reject a value: a node holding only these next to a combinator is just
# that combinator.
_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$anchor", "$comment", "$defs", "definitions", "$vocabulary",
        "$dynamicAnchor", "title", "description", "default", "examples", "deprecated",
        "readOnly", "writeOnly", "format", "contentMediaType", "contentEncoding",
    }
)  # fmt: skip
_COMBINATORS = ("allOf", "anyOf", "oneOf", "not")
_MAX_REF_CHAIN = 64


class UnresolvableReference(HubError, LookupError):
    """A ``$ref`` that does not point inside its own document, or never ends."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"{ref}: {reason}")
        self.ref = ref
        self.reason = reason


@dataclass
class Document:
    """One side of a comparison: its root schema, for ``$ref`` and for validating values."""

    root: Any
    _validator: Any = field(default=None, repr=False)
    # Resolved nodes by id of the referring node (kept alive here), so a node reached through
    # the same $ref is the same object every time: the recursion guard relies on that.
    _resolved: dict[int, tuple[Any, Any]] = field(default_factory=dict, repr=False)

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` until a node without one; siblings of ``$ref`` are kept."""
        if not has_ref(node):
            return node
        cached = self._resolved.get(id(node))
        if cached is None:
            cached = (node, self._follow(node))
            self._resolved[id(node)] = cached
        return cached[1]

    def _follow(self, node: Any) -> Any:
        first = node["$ref"]
        for _ in range(_MAX_REF_CHAIN):
            if not has_ref(node):
                return node
            target = self._lookup(node["$ref"])
            siblings = {k: v for k, v in node.items() if k != "$ref" and k not in _ANNOTATIONS}
            if not siblings:
                node = target
            elif isinstance(target, Mapping):
                # Since draft 2019-09 the siblings apply next to the target; merging them
                # (sibling wins) is the usual reading and keeps the node one plain schema.
                node = {**target, **siblings}
            else:
                node = siblings if target is True else False
        raise UnresolvableReference(first, "the chain of references never reaches a schema")

    def _lookup(self, ref: str) -> Any:
        base, _, fragment = ref.partition("#")
        root_id = self.root.get("$id") if isinstance(self.root, Mapping) else None
        if base and base != root_id:
            raise UnresolvableReference(ref, "only references inside the same schema resolve")
        node: Any = self.root
        if not fragment:
            return node
        if not fragment.startswith("/"):
            raise UnresolvableReference(ref, "plain-name anchors are not supported")
        for raw in fragment[1:].split("/"):
            token = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise UnresolvableReference(ref, f"nothing at {token!r}")
        return node

    def accepts(self, schema: Any, value: Any) -> bool:
        """Whether ``value`` is valid under ``schema`` (a node of this document)."""
        if self._validator is None:
            root = self.root if isinstance(self.root, Mapping | bool) else {}
            # Draft-07 when the schema declares no draft, as the registry reads it.
            self._validator = validator_for(root, default=Draft7Validator)(root)
        return bool(self._validator.evolve(schema=schema).is_valid(value))


def has_ref(node: Any) -> bool:
    """Whether a schema node is a ``$ref``."""
    return isinstance(node, Mapping) and isinstance(node.get("$ref"), str)


Part = tuple[tuple[str | int, ...], Any]
"""A sub-schema with the pointer tokens that lead to it from the node it belongs to."""


@dataclass(frozen=True)
class Shape:
    """A node as the checker sees it: ``tag`` says how its ``parts`` combine."""

    tag: Literal["allOf", "union", "not", "plain"]
    parts: list[Part]
    node: Mapping[str, Any]
    """The schema node the shape was read from."""

    @property
    def only(self) -> Any:
        """The single sub-schema of a ``not`` or ``plain`` shape."""
        return self.parts[0][1]


def shape_of(schema: Mapping[str, Any]) -> Shape:
    """Bring a resolved, non-boolean schema node into one of the four shapes."""
    present = [k for k in _COMBINATORS if k in schema]
    if not present:
        return _shape_of_simple(schema)
    rest = {k: v for k, v in schema.items() if k not in _COMBINATORS}
    asserts_more = any(k not in _ANNOTATIONS for k in rest)
    if len(present) > 1 or asserts_more:
        # Combinators and their sibling keywords all apply to the same value.
        parts: list[Part] = [((), rest)] if asserts_more else []
        parts.extend(((), {k: schema[k]}) for k in present)
        return Shape("allOf", parts, schema)
    keyword = present[0]
    if keyword == "not":
        return Shape("not", [(("not",), schema["not"])], schema)
    branches: list[Part] = [((keyword, i), s) for i, s in enumerate(schema[keyword])]
    # oneOf differs from anyOf on overlapping alternatives only; like the reference
    # registries the checker treats both as a union.
    return Shape("allOf" if keyword == "allOf" else "union", branches, schema)


def _shape_of_simple(schema: Mapping[str, Any]) -> Shape:
    """A node without combinators: a type list or a mixed-type enum is still a union."""
    types = schema.get("type")
    if isinstance(types, list):
        if len(types) == 1:
            return Shape("plain", [((), {**schema, "type": types[0]})], schema)
        return Shape("union", [((), {**schema, "type": t}) for t in types], schema)
    values = finite_values(schema)
    if types is None and values is not None:
        kinds = sorted({json_type(v) for v in values})
        if len(kinds) > 1:
            return Shape("union", [((), _enum_of_kind(values, k)) for k in kinds], schema)
    return Shape("plain", [((), schema)], schema)


def _enum_of_kind(values: list[Any], kind: str) -> dict[str, Any]:
    return {"type": kind, "enum": [v for v in values if json_type(v) == kind]}


def kind_of(schema: Mapping[str, Any]) -> str:
    """The JSON type a plain schema describes.

    Without ``type``, an ``enum``/``const`` takes the type of its values; any other untyped
    schema (``{}``, ``true``, ``{"properties": ...}``) counts as an object, as in Confluent and
    Karapace. That makes ``{}`` stricter than JSON Schema's "anything", never looser.
    """
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    values = finite_values(schema)
    if values:
        return json_type(values[0])
    return "object"


def finite_values(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values an ``enum``/``const`` limits the schema to, or None when unlimited."""
    if "const" in schema:
        if "enum" in schema and canonical(schema["const"]) not in map(canonical, schema["enum"]):
            return []
        return [schema["const"]]
    enum = schema.get("enum")
    return list(enum) if isinstance(enum, list) else None


def json_type(value: Any) -> str:
    """The JSON Schema type name of a JSON value (``1.0`` is an integer, as in the spec)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def canonical(value: Any) -> str:
    """A key under which JSON-equal values are equal (``1 == 1.0``, but ``1 != true``)."""

    def normal(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, list):
            return [normal(x) for x in v]
        if isinstance(v, Mapping):
            return {k: normal(x) for k, x in v.items()}
        return v

    return json.dumps([json_type(value), normal(value)], sort_keys=True)


def is_open_slot(slot: Any) -> bool:
    """Whether a sub-schema slot (``additionalProperties``, ``items``, ...) accepts anything.

    Only an absent slot or the literal ``true`` count as open here; ``{}`` is compared
    structurally like any other schema, as the reference registries do.
    """
    return slot is None or slot is True


def child(path: str, *tokens: str | int) -> str:
    """Extend a JSON pointer (``#`` is the root) with escaped tokens."""
    escaped = (str(t).replace("~", "~0").replace("/", "~1") for t in tokens)
    return "/".join([path, *escaped])
