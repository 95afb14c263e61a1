"""Crossdock's own table of reader/writer pairs: each rule, where it points, and the fixes."""

from __future__ import annotations

from typing import Any

import pytest

from hub.registry.compat import check_pair
from hub.registry.compat_rules import RULE_HINTS

S: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
NUM: dict[str, Any] = {"type": "number"}


def open_object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def closed_object(**properties: Any) -> dict[str, Any]:
    return {**open_object(**properties), "additionalProperties": False}


def lines_of(qty: dict[str, Any]) -> dict[str, Any]:
    return open_object(lines={"type": "array", "items": open_object(qty=qty)})


def tree(leaf: dict[str, Any]) -> dict[str, Any]:
    """A recursive schema: a node holds a value and a list of nodes."""
    node = open_object(value=leaf, children={"type": "array", "items": {"$ref": "#/$defs/node"}})
    return {"$defs": {"node": node}, "$ref": "#/$defs/node"}


def with_definition(maximum: int, keyword: str = "$defs") -> dict[str, Any]:
    return {
        keyword: {"qty": {"type": "integer", "maximum": maximum}},
        **open_object(q={"$ref": f"#/{keyword}/qty"}),
    }


# (name, reader, writer, expected [(path, rule)]; [] means compatible)
PAIRS: list[tuple[str, Any, Any, list[tuple[str, str]]]] = [
    # content models
    ("property added to open model", open_object(a=S, b=S), open_object(a=S),
     [("#/properties/b", "property_added_to_open_content_model")]),
    ("optional property added to closed model", closed_object(a=S, b=S), closed_object(a=S), []),
    ("required property added", {**closed_object(a=S, b=S), "required": ["b"]},
     closed_object(a=S), [("#/properties/b", "required_property_added")]),
    ("required property added with a default",
     {**closed_object(a=S, b={**S, "default": "x"}), "required": ["b"]}, closed_object(a=S), []),
    ("existing property becomes required", {**open_object(a=S), "required": ["a"]},
     open_object(a=S), [("#/properties/a", "required_property_added")]),
    ("required property dropped", open_object(a=S), {**open_object(a=S), "required": ["a"]}, []),
    ("property removed from closed model", closed_object(a=S), closed_object(a=S, b=S),
     [("#/properties/b", "property_removed_from_closed_content_model")]),
    ("property removed from open model", open_object(a=S), open_object(a=S, b=S), []),
    ("content model closed", closed_object(a=S), open_object(a=S),
     [("#/additionalProperties", "additional_properties_removed")]),
    ("content model opened", open_object(a=S), closed_object(a=S), []),
    ("additionalProperties schema narrowed",
     {**open_object(), "additionalProperties": INT}, {**open_object(), "additionalProperties": NUM},
     [("#/additionalProperties", "type_narrowed")]),
    ("property covered by partially open writer",
     open_object(x_a=INT), {**open_object(), "patternProperties": {"^x_": NUM}},
     [("#/properties/x_a", "property_added_not_covered_by_partially_open_content_model")]),
    ("property covered by partially open reader",
     {**open_object(), "patternProperties": {"^x_": NUM}}, closed_object(x_a=INT), []),
    ("new pattern restricts an open writer",
     {**open_object(), "patternProperties": {"^x_": INT}}, open_object(),
     [("#/patternProperties/^x_", "pattern_property_added")]),
    ("propertyNames rejects a declared name",
     {**open_object(), "propertyNames": {"pattern": "^[a-z]+$"}}, open_object(Qty=INT),
     [("#/propertyNames", "property_name_rejected")]),
    ("dependentRequired added", {**open_object(a=S, b=S), "dependentRequired": {"a": ["b"]}},
     open_object(a=S, b=S), [("#", "dependency_added")]),
    ("maxProperties added", {"type": "object", "maxProperties": 3}, {"type": "object"},
     [("#", "max_properties_added")]),
    # nesting
    ("nested narrowing points at the field", lines_of(INT), lines_of(NUM),
     [("#/properties/lines/items/properties/qty", "type_narrowed")]),
    ("nested widening", lines_of(NUM), lines_of(INT), []),
    # types
    ("integer widened to number", NUM, INT, []),
    ("number narrowed to integer", INT, NUM, [("#", "type_narrowed")]),
    ("type changed", S, INT, [("#", "type_changed")]),
    ("null added", {"type": ["string", "null"]}, S, []),
    ("null removed", S, {"type": ["string", "null"]}, [("#", "type_narrowed")]),
    ("type list narrowed", {"type": ["string", "integer"]}, {"type": ["string", "integer", "null"]},
     [("#", "type_narrowed")]),
    ("anyOf alternative added", {"anyOf": [S, INT]}, {"anyOf": [S]}, []),
    ("anyOf alternative removed", {"anyOf": [S]}, {"anyOf": [S, INT]},
     [("#/anyOf/1", "type_narrowed")]),
    ("oneOf reordered", {"oneOf": [INT, S]}, {"oneOf": [S, INT]}, []),
    ("allOf part added", {"allOf": [open_object(a=S), {"required": ["a"]}]},
     {"allOf": [open_object(a=S)]},
     [("#/allOf/1/allOf/0/properties/a", "required_property_added")]),
    ("combinator with sibling keywords",
     {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
     {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, []),
    ("not widened (its subschema narrows)", {"not": {**S, "maxLength": 3}},
     {"not": {**S, "maxLength": 5}}, []),
    ("not narrowed (its subschema widens)", {"not": {**S, "maxLength": 5}},
     {"not": {**S, "maxLength": 3}}, [("#/not", "max_length_decreased")]),
    ("not introduced", {"not": S}, INT, [("#", "negation_changed")]),
    ("true reads an object", True, closed_object(a=INT), []),
    ("true is an object schema, as in the reference", True, INT, [("#", "type_changed")]),
    ("false reader", False, open_object(), [("#", "reader_rejects_every_value")]),
    # enum and const
    ("enum value added", {"enum": ["A", "B", "C"]}, {"enum": ["A", "B"]}, []),
    ("enum value removed", {"enum": ["A"]}, {"enum": ["A", "B"]}, [("#", "enum_value_removed")]),
    ("typed enum value removed", {**S, "enum": ["A"]}, {**S, "enum": ["A", "B"]},
     [("#", "enum_value_removed")]),
    ("const changed", {"const": "A"}, {"const": "B"}, [("#", "enum_value_removed")]),
    ("enum introduced", {**S, "enum": ["A"]}, S, [("#", "enum_added")]),
    ("enum relaxed to its type", S, {"enum": ["A", "B"]}, []),
    ("bound rejects an enum value", {**S, "maxLength": 1}, {"enum": ["A", "BB"]},
     [("#", "value_rejected")]),
    # numbers
    ("maximum added", {**NUM, "maximum": 10}, NUM, [("#", "maximum_added")]),
    ("maximum decreased", {**NUM, "maximum": 5}, {**NUM, "maximum": 10},
     [("#", "maximum_decreased")]),
    ("minimum increased", {**NUM, "minimum": 5}, {**NUM, "minimum": 1},
     [("#", "minimum_increased")]),
    ("exclusive bound tightened", {**NUM, "exclusiveMinimum": 0}, {**NUM, "minimum": 0},
     [("#", "minimum_increased")]),
    ("exclusive and inclusive agree over integers", {**INT, "minimum": 1},
     {**INT, "exclusiveMinimum": 0}, []),
    ("multipleOf coarser", {**NUM, "multipleOf": 0.5}, {**NUM, "multipleOf": 0.25},
     [("#", "multiple_of_changed")]),
    ("multipleOf finer", {**NUM, "multipleOf": 0.25}, {**NUM, "multipleOf": 0.5}, []),
    ("multipleOf added", {**NUM, "multipleOf": 2}, NUM, [("#", "multiple_of_added")]),
    # strings
    ("maxLength decreased", {**S, "maxLength": 5}, {**S, "maxLength": 10},
     [("#", "max_length_decreased")]),
    ("maxLength increased", {**S, "maxLength": 10}, {**S, "maxLength": 5}, []),
    ("minLength added", {**S, "minLength": 1}, S, [("#", "min_length_added")]),
    ("pattern added", {**S, "pattern": "^[A-Z]+$"}, S, [("#", "pattern_added")]),
    ("pattern changed", {**S, "pattern": "^[A-Z]+$"}, {**S, "pattern": "^[A-Z0-9]+$"},
     [("#", "pattern_changed")]),
    # arrays
    ("items constrained", {"type": "array", "items": S}, {"type": "array"},
     [("#/items", "items_added")]),
    ("items relaxed", {"type": "array"}, {"type": "array", "items": S}, []),
    ("list became tuple", {"type": "array", "prefixItems": [INT]}, {"type": "array", "items": INT},
     [("#", "array_form_changed")]),
    ("tuple position added", {"type": "array", "prefixItems": [INT, INT]},
     {"type": "array", "prefixItems": [INT]}, [("#/prefixItems/1", "tuple_item_added")]),
    ("tuple shortened by an open reader", {"type": "array", "prefixItems": [INT]},
     {"type": "array", "prefixItems": [INT, S]}, []),
    ("tuple closed", {"type": "array", "items": [INT], "additionalItems": False},
     {"type": "array", "items": [INT]}, [("#/additionalItems", "additional_items_removed")]),
    ("minItems increased", {"type": "array", "minItems": 2}, {"type": "array", "minItems": 1},
     [("#", "min_items_increased")]),
    ("maxItems decreased", {"type": "array", "maxItems": 2}, {"type": "array", "maxItems": 3},
     [("#", "max_items_decreased")]),
    ("uniqueItems added", {"type": "array", "uniqueItems": True}, {"type": "array"},
     [("#", "unique_items_added")]),
    # $ref
    ("$defs reference narrowed", with_definition(5), with_definition(10),
     [("#/properties/q", "maximum_decreased")]),
    ("definitions reference widened", with_definition(10, "definitions"),
     with_definition(5, "definitions"), []),
    ("reference against an inline schema", open_object(q={**INT, "maximum": 10}),
     with_definition(10), []),
    ("recursive schema against itself", tree(INT), tree(INT), []),
    ("recursive schema widened", tree(NUM), tree(INT), []),
    ("recursive schema narrowed", tree(INT), tree(NUM), [("#/properties/value", "type_narrowed")]),
    ("reference cycle without a schema",
     {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, {},
     [("#", "unresolvable_reference")]),
    ("reference to another document", open_object(a={"$ref": "https://example.com/a.json"}),
     open_object(a=S), [("#/properties/a", "unresolvable_reference")]),
    ("$ref siblings apply", {"$defs": {"s": S}, "$ref": "#/$defs/s", "maxLength": 3}, S,
     [("#", "max_length_added")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("reader", "writer", "expected"),
    [pytest.param(r, w, e, id=name) for name, r, w, e in PAIRS],
)
def test_pair_reports_exactly_the_expected_rules(
    reader: Any, writer: Any, expected: list[tuple[str, str]]
) -> None:
    found = check_pair(reader, writer)
    assert [(i.path, i.rule) for i in found] == expected
    for incompatibility in found:
        assert incompatibility.message
        assert incompatibility.hint == RULE_HINTS[incompatibility.rule]


def test_every_schema_in_the_table_is_compatible_with_itself() -> None:
    for name, reader, writer, _ in PAIRS:
        for schema in (reader, writer):
            found = check_pair(schema, schema)
            unresolvable = all(i.rule == "unresolvable_reference" for i in found)
            assert not found or unresolvable, (name, found)


def test_open_model_finding_explains_why_and_how_to_fix() -> None:
    (found,) = check_pair(open_object(a=S, loyalty_id=S), open_object(a=S))
    assert "may already have sent" in found.message
    assert "additionalProperties: false" in found.hint


def test_every_rule_has_a_non_empty_hint() -> None:
    assert all(hint.strip() for hint in RULE_HINTS.values())
