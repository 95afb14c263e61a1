"""Whether a reader schema accepts every document a writer schema allows.

The comparison is structural and follows the reference registries (Confluent's JSON Schema
``SchemaDiff`` and Karapace's port of it): the reader must not narrow a type, drop an enum
value, tighten a bound, close an open content model or require a new property, and adding
a property to an *open* writer content model is incompatible (the writer may already have
sent that name with any value). Where a rule cannot be decided structurally (two different
regular expressions, ``if``/``then``/``else``), the change counts as incompatible.

Combinators are compared by meaning rather than position: each writer alternative must fit
some reader alternative, a reader ``allOf`` must hold for the writer as a whole, and ``not``
reverses the direction. Recursive ``$ref`` s are followed with a guard: a pair of nodes met
again on the same path is assumed compatible, which is the sound reading for recursive types.
Keyword checks for objects and arrays live in :mod:`hub.registry.compat_structures`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.registry.compat_rules import Incompatibility, incompatibility
from hub.registry.compat_schema import (
    ANY,
    Document,
    Shape,
    UnresolvableReference,
    canonical,
    child,
    finite_values,
    has_ref,
    is_open_slot,
    json_type,
    kind_of,
    shape_of,
)
from hub.registry.compat_structures import compare_arrays, compare_objects, count_limits

__all__ = ["Comparison"]

_MAX_DEPTH = 120  # each level costs a few frames; stay well inside the interpreter's limit
_NUMERIC = frozenset({"number", "integer"})
_FINITE_TYPES: dict[str, list[Any]] = {"boolean": [True, False], "null": [None]}


@dataclass
class Comparison:
    """One reader/writer comparison; ``check`` may be called on any pair of their nodes."""

    reader: Document
    writer: Document
    flipped: bool = False
    _active: set[tuple[bool, int, int]] = field(default_factory=set)
    _depth: list[int] = field(default_factory=lambda: [0])

    def swapped(self) -> Comparison:
        """The same comparison with reader and writer exchanged (for ``not``)."""
        return Comparison(self.writer, self.reader, not self.flipped, self._active, self._depth)

    def check(self, reader: Any, writer: Any, path: str) -> list[Incompatibility]:
        """Every reason ``reader`` (a reader node) rejects values ``writer`` allows."""
        if self._depth[0] >= _MAX_DEPTH:
            return [incompatibility(path, "too_deeply_nested", "the schemas nest too deeply")]
        try:
            reader_node = self.reader.resolve(reader)
            writer_node = self.writer.resolve(writer)
        except UnresolvableReference as error:
            return [_unresolvable(path, error)]
        key = None
        if has_ref(reader) or has_ref(writer):
            key = (self.flipped, id(reader_node), id(writer_node))
            if key in self._active:
                return []  # the same pair again through a recursive $ref: assume compatible
            self._active.add(key)
        self._depth[0] += 1
        try:
            return self._compare(reader_node, writer_node, path)
        finally:
            self._depth[0] -= 1
            if key is not None:
                self._active.discard(key)

    def slot(
        self, reader: Any, writer: Any, path: str, rules: tuple[str, str], what: str
    ) -> list[Incompatibility]:
        """Compare optional sub-schema slots (absent or ``true`` accept anything).

        ``rules`` name the finding when the reader forbids the slot and when it constrains a
        slot the writer left open; ``what`` says what the slot holds, for the message.
        """
        try:
            reader_node = self.reader.resolve(reader)
            writer_node = self.writer.resolve(writer)
        except UnresolvableReference as error:
            return [_unresolvable(path, error)]
        closed_rule, narrowed_rule = rules
        if is_open_slot(reader_node) or writer_node is False:
            return []
        if reader_node is False:
            message = f"the reader forbids {what}, which the writer allows"
            return [incompatibility(path, closed_rule, message)]
        if is_open_slot(writer_node):
            if isinstance(reader_node, Mapping) and not reader_node:
                return []
            message = f"the reader constrains {what}, which the writer left unconstrained"
            return [incompatibility(path, narrowed_rule, message)]
        return self.check(reader, writer, path)  # the unresolved nodes: check guards $ref

    def _compare(self, reader: Any, writer: Any, path: str) -> list[Incompatibility]:
        if writer is False or reader is False:
            return _false_schemas(reader, writer, path)
        # `true` behaves as `{}`: an untyped schema, read as an object (see kind_of).
        reader = reader if isinstance(reader, Mapping) else ANY
        writer = writer if isinstance(writer, Mapping) else ANY
        r_shape, w_shape = shape_of(reader), shape_of(writer)
        if r_shape.tag == w_shape.tag == "plain":
            return self._plain(r_shape.only, w_shape.only, path)
        return self._combined(r_shape, w_shape, path)

    def _combined(self, r_shape: Shape, w_shape: Shape, path: str) -> list[Incompatibility]:
        writer = w_shape.node
        every: list[tuple[Any, Any, tuple[str | int, ...]]] = []
        if w_shape.tag == "union":  # each alternative the writer may use must be read
            every = [(r_shape.node, branch, tokens) for tokens, branch in w_shape.parts]
        elif r_shape.tag == "allOf":  # the writer must satisfy each part the reader demands
            every = [(part, writer, tokens) for tokens, part in r_shape.parts]
        if every:
            found = [i for r, w, tok in every for i in self.check(r, w, child(path, *tok))]
            if w_shape.tag == "union":
                found = [_as_narrowing(i) for i in found]
            return found
        attempts: list[list[Incompatibility]] = []
        if w_shape.tag == "allOf":
            # The writer's value satisfies every part; one part fitting the reader is enough.
            for tokens, part in w_shape.parts:
                attempts.append(self.check(r_shape.node, part, child(path, *tokens)))
                if not attempts[-1]:
                    return []
        if r_shape.tag == "union":
            return self._into_union(r_shape, w_shape, path, attempts)
        if attempts:
            return min(attempts, key=len)
        return self._negations(r_shape, w_shape, path)

    def _negations(self, r_shape: Shape, w_shape: Shape, path: str) -> list[Incompatibility]:
        if r_shape.tag == w_shape.tag == "not":
            # not R accepts everything not W rejects exactly when W accepts all R does.
            found = self.swapped().check(w_shape.only, r_shape.only, child(path, "not"))
            prefix = "inside 'not', where reader and writer swap roles: "
            return [replace(i, message=prefix + i.message) for i in found]
        message = "'not' was added or removed; negations only compare with negations"
        return [incompatibility(path, "negation_changed", message)]

    def _into_union(
        self, r_shape: Shape, w_shape: Shape, path: str, attempts: list[list[Incompatibility]]
    ) -> list[Incompatibility]:
        writer = w_shape.node
        candidates: list[list[Incompatibility]] = []
        w_kind = kind_of(w_shape.only) if w_shape.tag == "plain" else None
        for tokens, branch in r_shape.parts:
            result = self.check(branch, writer, child(path, *tokens))
            if not result:
                return []
            if w_kind is None or _kinds_meet(self.reader, branch, w_kind):
                candidates.append(result)
        if len(candidates) == 1 and not attempts:
            return candidates[0]  # one alternative of the right type: say what broke in it
        if w_kind is not None and not candidates:
            message = f"no alternative of the reader accepts {w_kind} values the writer allows"
            return [incompatibility(path, "type_narrowed", message)]
        message = "no alternative of the reader's anyOf/oneOf/type list accepts the writer's values"
        return [incompatibility(path, "union_narrowed", message)]

    def _plain(
        self, reader: Mapping[str, Any], writer: Mapping[str, Any], path: str
    ) -> list[Incompatibility]:
        r_kind, w_kind = kind_of(reader), kind_of(writer)
        if r_kind != w_kind and not (r_kind in _NUMERIC and w_kind in _NUMERIC):
            message = (
                f"type {r_kind} in the reader is not compatible with type {w_kind} in the writer"
            )
            return [incompatibility(path, "type_changed", message)]
        finite = _finite_writer(self.reader, reader, writer, w_kind, path)
        if finite is not None:
            return finite
        found: list[Incompatibility] = []
        if r_kind == "integer" and w_kind == "number":
            message = "the writer allows any number, the reader only integers"
            found.append(incompatibility(path, "type_narrowed", message))
        if finite_values(reader) is not None:
            message = "the reader limits values to an enum/const the writer did not have"
            return [*found, incompatibility(path, "enum_added", message)]
        if r_kind in _NUMERIC:
            found += _numeric(reader, writer, w_kind, path)
        elif r_kind == "string":
            found += _string(reader, writer, path)
        elif r_kind == "array":
            found += compare_arrays(self, reader, writer, path)
        elif r_kind == "object":
            found += compare_objects(self, reader, writer, path)
        conditional = [reader.get(k) for k in ("if", "then", "else")]
        if any(c is not None for c in conditional) and canonical(conditional) != canonical(
            [writer.get(k) for k in ("if", "then", "else")]
        ):
            message = "if/then/else differs from the writer's"
            found.append(incompatibility(path, "conditional_changed", message))
        return found


def _as_narrowing(found: Incompatibility) -> Incompatibility:
    """A writer alternative of a type the reader lacks is a narrowed type, not a changed one."""
    if found.rule != "type_changed":
        return found
    message = f"one of the writer's alternatives is no longer accepted ({found.message})"
    return incompatibility(found.path, "type_narrowed", message)


def _false_schemas(reader: Any, writer: Any, path: str) -> list[Incompatibility]:
    if writer is False:
        if isinstance(reader, bool):
            return []
        message = "the writer schema is false; the reference registries count that as a type change"
        return [incompatibility(path, "type_changed", message)]
    message = "the reader schema is false and rejects every value the writer allows"
    return [incompatibility(path, "reader_rejects_every_value", message)]


def _unresolvable(path: str, error: UnresolvableReference) -> Incompatibility:
    message = f"cannot resolve $ref {error.ref!r}: {error.reason}"
    return incompatibility(path, "unresolvable_reference", message)


def _kinds_meet(reader: Document, branch: Any, writer_kind: str) -> bool:
    """Whether a reader alternative is of a type the writer's values could fit."""
    try:
        branch = reader.resolve(branch)
    except UnresolvableReference:
        return True
    if not isinstance(branch, Mapping):
        return branch is not False
    shape = shape_of(branch)
    if shape.tag != "plain":
        return True
    kind = kind_of(shape.only)
    return kind == writer_kind or (kind == "number" and writer_kind == "integer")


def _finite_writer(
    reader_doc: Document,
    reader: Mapping[str, Any],
    writer: Mapping[str, Any],
    w_kind: str,
    path: str,
) -> list[Incompatibility] | None:
    """When the writer can only send a few values, try each of them against the reader."""
    values = finite_values(writer)
    if values is None:
        values = _FINITE_TYPES.get(w_kind)
    if values is None:
        return None
    allowed = {w_kind, "integer"} if w_kind == "number" else {w_kind}
    rejected = [v for v in values if json_type(v) in allowed and not reader_doc.accepts(reader, v)]
    if not rejected:
        return []
    shown = ", ".join(json.dumps(v) for v in rejected)
    if finite_values(reader) is not None:
        message = f"the reader's enum/const no longer contains {shown}"
        return [incompatibility(path, "enum_value_removed", message)]
    message = f"the reader rejects {shown}, which the writer's enum/const allows"
    return [incompatibility(path, "value_rejected", message)]


def _bound(schema: Mapping[str, Any], side: str, integers: bool) -> tuple[float, bool] | None:
    """The tightest lower (``side="min"``) or upper bound as (value, exclusive)."""
    inclusive_kw, exclusive_kw = (
        ("minimum", "exclusiveMinimum") if side == "min" else ("maximum", "exclusiveMaximum")
    )
    pick = max if side == "min" else min
    bounds: list[tuple[float, bool]] = []
    inclusive, exclusive = schema.get(inclusive_kw), schema.get(exclusive_kw)
    if isinstance(inclusive, int | float) and not isinstance(inclusive, bool):
        bounds.append((inclusive, exclusive is True))  # draft 4: exclusive* is a flag
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        bounds.append((exclusive, True))
    if not bounds:
        return None
    # Exclusive wins a tie: for a lower bound max() must prefer True, for an upper min() False.
    value, excl = pick(bounds, key=lambda b: (b[0], b[1] if side == "min" else not b[1]))
    if integers:
        # Over integers every bound is an inclusive whole number; this makes
        # exclusiveMinimum: 0 and minimum: 1 compare equal.
        if side == "min":
            return (math.floor(value) + 1 if excl else math.ceil(value), False)
        return (math.ceil(value) - 1 if excl else math.floor(value), False)
    return (value, excl)


def _numeric(
    reader: Mapping[str, Any], writer: Mapping[str, Any], w_kind: str, path: str
) -> list[Incompatibility]:
    found: list[Incompatibility] = []
    integers = w_kind == "integer"
    for side, noun in (("min", "minimum"), ("max", "maximum")):
        r_bound, w_bound = _bound(reader, side, integers), _bound(writer, side, integers)
        if r_bound is None:
            continue
        shown = f"{'exclusive ' if r_bound[1] else ''}{noun} {r_bound[0]}"
        if w_bound is None:
            message = f"the reader adds {shown}, the writer had no {noun}"
            found.append(incompatibility(path, f"{noun}_added", message))
            continue
        sign = 1 if side == "min" else -1
        looser = sign * w_bound[0] < sign * r_bound[0] or (
            w_bound[0] == r_bound[0] and r_bound[1] and not w_bound[1]
        )
        if looser:
            was = f"{'exclusive ' if w_bound[1] else ''}{noun} {w_bound[0]}"
            rule = "minimum_increased" if side == "min" else "maximum_decreased"
            found.append(incompatibility(path, rule, f"the reader has {shown}, the writer {was}"))
    r_step, w_step = reader.get("multipleOf"), writer.get("multipleOf")
    if isinstance(r_step, int | float) and r_step > 0:
        if not isinstance(w_step, int | float) or w_step <= 0:
            if not (integers and _divides(r_step, 1)):
                message = f"the reader adds multipleOf {r_step}"
                found.append(incompatibility(path, "multiple_of_added", message))
        elif not _divides(r_step, w_step):
            message = (
                f"multipleOf {w_step} in the writer is not a multiple of the reader's {r_step}"
            )
            found.append(incompatibility(path, "multiple_of_changed", message))
    return found


def _divides(step: float, value: float) -> bool:
    try:
        return Decimal(str(value)) % Decimal(str(step)) == 0
    except InvalidOperation:
        return False


def _string(
    reader: Mapping[str, Any], writer: Mapping[str, Any], path: str
) -> list[Incompatibility]:
    found = count_limits(reader, writer, path, ("minLength", "maxLength"), "length")
    r_pattern, w_pattern = reader.get("pattern"), writer.get("pattern")
    if r_pattern is not None and w_pattern is None:
        message = f"the reader adds pattern {r_pattern!r}"
        found.append(incompatibility(path, "pattern_added", message))
    elif r_pattern is not None and r_pattern != w_pattern:
        message = f"pattern changed from {w_pattern!r} (writer) to {r_pattern!r} (reader)"
        found.append(incompatibility(path, "pattern_changed", message))
    return found
