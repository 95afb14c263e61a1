"""Compatibility of object and array schemas: content models, properties, items, tuples.

An object's *content model* is open when neither ``additionalProperties`` (or
``unevaluatedProperties``) nor ``patternProperties`` constrains undeclared names. Against an
open writer, a property the reader declares and the writer did not is incompatible: the
writer may already have sent that name with any value (Confluent's default, strict rule;
Karapace applies the same one). Against a closed writer it is safe unless required.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub.registry.compat_rules import Incompatibility, incompatibility
from hub.registry.compat_schema import ANY, child, is_open_slot

if TYPE_CHECKING:
    from hub.registry.compat_pair import Comparison

__all__ = ["compare_arrays", "compare_objects", "count_limits"]


def count_limits(
    reader: Mapping[str, Any],
    writer: Mapping[str, Any],
    path: str,
    keywords: tuple[str, str],
    rules: str,
) -> list[Incompatibility]:
    """Compare a ``min*``/``max*`` keyword pair (lengths, items, properties)."""
    found: list[Incompatibility] = []
    low_kw, high_kw = keywords
    r_low, w_low = reader.get(low_kw, 0), writer.get(low_kw, 0)
    if r_low > w_low:
        rule = f"min_{rules}_{'increased' if low_kw in writer else 'added'}"
        message = f"{low_kw}: the reader needs {r_low}, the writer {w_low}"
        found.append(incompatibility(path, rule, message))
    r_high, w_high = reader.get(high_kw), writer.get(high_kw)
    if r_high is not None and (w_high is None or w_high > r_high):
        rule = f"max_{rules}_{'decreased' if w_high is not None else 'added'}"
        shown = "no limit" if w_high is None else str(w_high)
        message = f"{high_kw}: the reader allows {r_high}, the writer {shown}"
        found.append(incompatibility(path, rule, message))
    return found


# ---------------------------------------------------------------------------------- arrays


def _array_parts(schema: Mapping[str, Any]) -> tuple[list[Any] | None, Any, str, str]:
    """(tuple positions or None for a list, schema of the rest, their keywords)."""
    if isinstance(schema.get("prefixItems"), list):  # 2020-12 tuples
        return schema["prefixItems"], schema.get("items"), "prefixItems", "items"
    if isinstance(schema.get("items"), list):  # draft 4-2019 tuples
        return schema["items"], schema.get("additionalItems"), "items", "additionalItems"
    return None, schema.get("items"), "items", "items"


def compare_arrays(
    cmp: Comparison, reader: Mapping[str, Any], writer: Mapping[str, Any], path: str
) -> list[Incompatibility]:
    """Items (list or tuple form), item counts, uniqueness and ``contains``."""
    r_prefix, r_rest, r_prefix_kw, r_rest_kw = _array_parts(reader)
    w_prefix, w_rest, _, _ = _array_parts(writer)
    found: list[Incompatibility] = []
    if (r_prefix is None) != (w_prefix is None):
        # A list and a tuple never compare, even where the values would fit (as the reference).
        forms = ("a tuple", "a list") if r_prefix is not None else ("a list", "a tuple")
        message = f"the reader describes {forms[0]}, the writer {forms[1]}"
        found.append(incompatibility(path, "array_form_changed", message))
    elif r_prefix is None or w_prefix is None:
        found += cmp.slot(r_rest, w_rest, child(path, "items"), ("items_added",) * 2, "array items")
    else:
        found += _tuples(cmp, (r_prefix, r_rest, r_prefix_kw, r_rest_kw), (w_prefix, w_rest), path)
    found += count_limits(reader, writer, path, ("minItems", "maxItems"), "items")
    if reader.get("uniqueItems") is True and writer.get("uniqueItems") is not True:
        message = "the reader requires unique items, the writer did not"
        found.append(incompatibility(path, "unique_items_added", message))
    if "contains" in reader:
        where = child(path, "contains")
        if "contains" not in writer:
            message = "the reader adds 'contains'"
            found.append(incompatibility(where, "contains_added", message))
        else:
            found += cmp.check(reader["contains"], writer["contains"], where)
    return found


def _tuples(
    cmp: Comparison,
    reader_parts: tuple[list[Any], Any, str, str],
    writer_parts: tuple[list[Any], Any],
    path: str,
) -> list[Incompatibility]:
    r_prefix, r_rest, prefix_kw, rest_kw = reader_parts
    w_prefix, w_rest = writer_parts
    found: list[Incompatibility] = []
    for pos, (r_item, w_item) in enumerate(zip(r_prefix, w_prefix, strict=False)):
        found += cmp.check(r_item, w_item, child(path, prefix_kw, pos))
    rules = ("additional_items_removed", "additional_items_narrowed")
    for pos, w_item in enumerate(w_prefix[len(r_prefix) :], start=len(r_prefix)):
        # A position only the writer declares falls under the reader's rest schema.
        what = f"items at position {pos} (declared by the writer only)"
        found += cmp.slot(r_rest, w_item, child(path, rest_kw), rules, what)
    for pos in range(len(w_prefix), len(r_prefix)):
        # A position only the reader declares must accept what the writer's rest allowed.
        where = child(path, prefix_kw, pos)
        nested = cmp.slot(r_prefix[pos], w_rest, where, ("tuple_item_added",) * 2, "the item")
        if nested:
            message = (
                f"position {pos} is new in the reader and rejects values the writer may send there"
            )
            found.append(incompatibility(where, "tuple_item_added", message))
    found += cmp.slot(r_rest, w_rest, child(path, rest_kw), rules, "items past the tuple")
    return found


# --------------------------------------------------------------------------------- objects


def _rest_slot(schema: Mapping[str, Any]) -> Any:
    if "additionalProperties" in schema:
        return schema["additionalProperties"]
    return schema.get("unevaluatedProperties")


def _is_open(schema: Mapping[str, Any]) -> bool:
    return is_open_slot(_rest_slot(schema)) and not schema.get("patternProperties")


def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # an unreadable pattern may apply: compare against it rather than skip it


def _slots_for(schema: Mapping[str, Any], name: str, path: str) -> list[tuple[Any, str]]:
    """The schemas an undeclared property name falls under, with their pointers."""
    patterns = schema.get("patternProperties") or {}
    hits = [
        (s, child(path, "patternProperties", p)) for p, s in patterns.items() if _matches(p, name)
    ]
    return hits or [(_rest_slot(schema), child(path, "additionalProperties"))]


def compare_objects(
    cmp: Comparison, reader: Mapping[str, Any], writer: Mapping[str, Any], path: str
) -> list[Incompatibility]:
    """Properties under open, closed and partially open content models, and the rest."""
    r_props: Mapping[str, Any] = reader.get("properties") or {}
    w_props: Mapping[str, Any] = writer.get("properties") or {}
    found: list[Incompatibility] = []
    for name, w_prop in w_props.items():
        where = child(path, "properties", name)
        if w_prop is False:
            continue  # the writer never sends it
        if name in r_props:
            found += cmp.check(r_props[name], w_prop, where)
        elif not _is_open(reader):
            found += _removed(cmp, reader, name, w_prop, path)
    for name, r_prop in r_props.items():
        if name not in w_props:
            found += _added(cmp, writer, name, r_prop, path)
    found += _required(reader, writer, r_props, path)
    rules = ("additional_properties_removed", "additional_properties_narrowed")
    where = child(path, "additionalProperties")
    found += cmp.slot(_rest_slot(reader), _rest_slot(writer), where, rules, "undeclared properties")
    found += _patterns(cmp, reader, writer, path)
    names = reader.get("propertyNames")
    if names is not None and not is_open_slot(names):
        for name, w_prop in w_props.items():
            if w_prop is not False and not cmp.reader.accepts(names, name):
                message = f"propertyNames in the reader rejects the writer's property {name!r}"
                where = child(path, "propertyNames")
                found.append(incompatibility(where, "property_name_rejected", message))
    found += count_limits(reader, writer, path, ("minProperties", "maxProperties"), "properties")
    found += _dependencies(cmp, reader, writer, path)
    return found


def _removed(
    cmp: Comparison, reader: Mapping[str, Any], name: str, w_prop: Any, path: str
) -> list[Incompatibility]:
    """A property the writer declares and the (not open) reader does not."""
    where = child(path, "properties", name)
    slots = _slots_for(reader, name, path)
    if len(slots) == 1 and is_open_slot(slots[0][0]):
        return []
    if len(slots) == 1 and slots[0][0] is False:
        message = (
            f"property {name!r} may be sent by the writer but the reader's content model is closed"
        )
        return [incompatibility(where, "property_removed_from_closed_content_model", message)]
    for slot, slot_path in slots:
        nested = cmp.check(slot, w_prop, slot_path)
        if nested:
            message = (
                f"property {name!r} falls under {slot_path} in the reader, which rejects it: "
                f"{nested[0].message}"
            )
            rule = "property_removed_not_covered_by_partially_open_content_model"
            return [incompatibility(where, rule, message)]
    return []


def _added(
    cmp: Comparison, writer: Mapping[str, Any], name: str, r_prop: Any, path: str
) -> list[Incompatibility]:
    """A property the reader declares and the writer does not."""
    where = child(path, "properties", name)
    slots = [(True, where)] if _is_open(writer) else _slots_for(writer, name, path)
    if len(slots) == 1 and slots[0][0] is False:
        return []  # the writer's closed model never sends it: an optional addition is safe
    if len(slots) == 1 and is_open_slot(slots[0][0]):
        message = (
            f"property {name!r} is new, but the writer's content model is open: it may already "
            "have sent that name with any value"
        )
        return [incompatibility(where, "property_added_to_open_content_model", message)]
    for slot, slot_path in slots:
        nested = cmp.check(r_prop, slot, where)
        if nested:
            message = (
                f"new property {name!r} rejects values the writer allowed under {slot_path}: "
                f"{nested[0].message}"
            )
            rule = "property_added_not_covered_by_partially_open_content_model"
            return [incompatibility(where, rule, message)]
    return []


def _required(
    reader: Mapping[str, Any], writer: Mapping[str, Any], r_props: Mapping[str, Any], path: str
) -> list[Incompatibility]:
    found: list[Incompatibility] = []
    w_required = set(writer.get("required") or ())
    for name in reader.get("required") or ():
        if name in w_required:
            continue
        prop = r_props.get(name)
        # As in Confluent, a default lets the reader fill a property old data lacks.
        if isinstance(prop, Mapping) and "default" in prop:
            continue
        message = f"property {name!r} is required by the reader but optional for the writer"
        found.append(
            incompatibility(child(path, "properties", name), "required_property_added", message)
        )
    return found


def _patterns(
    cmp: Comparison, reader: Mapping[str, Any], writer: Mapping[str, Any], path: str
) -> list[Incompatibility]:
    r_patterns: Mapping[str, Any] = reader.get("patternProperties") or {}
    w_patterns: Mapping[str, Any] = writer.get("patternProperties") or {}
    w_rest = _rest_slot(writer)
    found: list[Incompatibility] = []
    for pattern, r_schema in r_patterns.items():
        where = child(path, "patternProperties", pattern)
        if pattern in w_patterns:
            found += cmp.check(r_schema, w_patterns[pattern], where)
        elif w_rest is not False:
            # Names matching a new pattern were governed by the writer's additionalProperties.
            nested = cmp.check(r_schema, ANY if is_open_slot(w_rest) else w_rest, where)
            if nested:
                message = (
                    f"new pattern {pattern!r} rejects values the writer allowed: "
                    f"{nested[0].message}"
                )
                found.append(incompatibility(where, "pattern_property_added", message))
    return found


def _dependencies(
    cmp: Comparison, reader: Mapping[str, Any], writer: Mapping[str, Any], path: str
) -> list[Incompatibility]:
    def split(schema: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        names: dict[str, Any] = dict(schema.get("dependentRequired") or {})
        schemas: dict[str, Any] = dict(schema.get("dependentSchemas") or {})
        for key, value in (schema.get("dependencies") or {}).items():
            (names if isinstance(value, list) else schemas)[key] = value
        return names, schemas

    r_names, r_schemas = split(reader)
    w_names, w_schemas = split(writer)
    found: list[Incompatibility] = []
    for key, needed in r_names.items():
        extra = sorted(set(needed) - set(w_names.get(key, ())))
        if extra:
            message = f"when {key!r} is present the reader also requires {extra}"
            found.append(incompatibility(path, "dependency_added", message))
    for key, r_schema in r_schemas.items():
        if key in w_schemas:
            found += cmp.check(r_schema, w_schemas[key], child(path, "dependentSchemas", key))
        elif not is_open_slot(r_schema):
            message = f"the reader adds a schema that applies when {key!r} is present"
            found.append(incompatibility(path, "dependent_schema_added", message))
    return found
