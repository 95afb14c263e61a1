"""The vocabulary of JSON Schema compatibility findings: one rule id, one fix hint.

Rule ids are stable strings (the registry returns them in 409 bodies and clients may match
on them); most follow the names the reference registries use (Confluent's ``Difference.Type``,
Karapace's ``Incompatibility``) so users can look them up there.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULE_HINTS", "Incompatibility", "incompatibility"]


@dataclass(frozen=True)
class Incompatibility:
    """One reason a reader schema cannot read every document a writer schema allows."""

    path: str
    """JSON pointer into the schema where it breaks, e.g. ``#/properties/lines/items``."""
    rule: str
    """Stable rule id, e.g. ``property_added_to_open_content_model``."""
    message: str
    """What changed, in one sentence."""
    hint: str
    """How to change the schema so the check passes."""


_KEEP_OR_RELAX = "keep the previous constraint or relax it; never tighten it in place"

RULE_HINTS: dict[str, str] = {
    # types
    "type_changed": (
        "keep the previous type; to accept another type as well, widen with a type list or "
        "anyOf that still contains the old type"
    ),
    "type_narrowed": (
        "keep accepting the previous type (e.g. 'number' instead of 'integer', or keep 'null' "
        "in the type list)"
    ),
    "union_narrowed": (
        "keep every alternative of anyOf/oneOf (or of the type list) that old data may use"
    ),
    "negation_changed": "keep the 'not' subschema as it was, or drop it rather than introducing it",
    "reader_rejects_every_value": "a 'false' schema rejects every document; register a real schema",
    # enum / const
    "enum_value_removed": (
        "keep every previous enum/const value; add new values instead of removing"
    ),
    "enum_added": "do not restrict an existing field to an enum/const; add a new field instead",
    "value_rejected": "the new constraints reject a value the old enum/const allowed; "
    + _KEEP_OR_RELAX,
    # numbers
    "minimum_added": _KEEP_OR_RELAX + " (a new lower bound rejects existing data)",
    "minimum_increased": _KEEP_OR_RELAX + " (lower the minimum back, or keep it)",
    "maximum_added": _KEEP_OR_RELAX + " (a new upper bound rejects existing data)",
    "maximum_decreased": _KEEP_OR_RELAX + " (raise the maximum back, or keep it)",
    "multiple_of_added": "drop the new multipleOf, or put it on a new field",
    "multiple_of_changed": "use a multipleOf that divides the previous one (or keep the previous)",
    # strings
    "min_length_added": _KEEP_OR_RELAX,
    "min_length_increased": _KEEP_OR_RELAX,
    "max_length_added": _KEEP_OR_RELAX + " (e.g. drop maxLength or make it large enough)",
    "max_length_decreased": _KEEP_OR_RELAX + " (keep the previous maxLength or raise it)",
    "pattern_added": "drop the new pattern, or validate the new format in a new field",
    "pattern_changed": (
        "keep the previous pattern; regular expressions cannot be proven wider, so any change "
        "counts as incompatible"
    ),
    # arrays
    "items_added": "do not constrain the items of an existing array that accepted any item",
    "array_form_changed": (
        "keep the list form (items: schema) or the tuple form (items/prefixItems: [...]) "
        "the previous version used"
    ),
    "tuple_item_added": (
        "new tuple positions must accept whatever the old schema allowed there; keep the old "
        "tuple length or make the new position accept any value"
    ),
    "additional_items_removed": (
        "keep accepting additional items (do not set additionalItems/items to false)"
    ),
    "additional_items_narrowed": "keep the previous schema for additional items, or widen it",
    "min_items_added": _KEEP_OR_RELAX,
    "min_items_increased": _KEEP_OR_RELAX,
    "max_items_added": _KEEP_OR_RELAX,
    "max_items_decreased": _KEEP_OR_RELAX,
    "unique_items_added": "drop uniqueItems: true from the existing array",
    "contains_added": "drop the new 'contains', or keep the previous one",
    # objects
    "property_added_to_open_content_model": (
        "the old object accepted unknown properties, so old data may carry this name with any "
        "value (Confluent's strict rule, also Karapace's). Keep the property out of this "
        "version, or register under a level that allows it (NONE; FORWARD if producers "
        "upgrade first); from now on close content models with additionalProperties: false "
        "so later additions can be checked"
    ),
    "property_removed_from_closed_content_model": (
        "the reader rejects a property old data may carry; keep the property (it may be "
        "optional), or open the content model (drop additionalProperties: false)"
    ),
    "property_added_not_covered_by_partially_open_content_model": (
        "the new property must accept what the old patternProperties/additionalProperties "
        "allowed for that name; widen its schema"
    ),
    "property_removed_not_covered_by_partially_open_content_model": (
        "the reader's patternProperties/additionalProperties must accept the removed "
        "property's old values; keep the property or widen that schema"
    ),
    "required_property_added": (
        "make the property optional (leave it out of 'required'), or give it a 'default' "
        "(the reference registries accept a new required property that has a default)"
    ),
    "additional_properties_removed": (
        "keep the content model open (drop additionalProperties: false), or close it only "
        "in a new subject"
    ),
    "additional_properties_narrowed": "keep additionalProperties as accepting as before",
    "pattern_property_added": (
        "the new patternProperties schema must accept what old data may hold under matching "
        "names; widen it or drop it"
    ),
    "pattern_property_narrowed": "keep the previous patternProperties schema, or widen it",
    "property_name_rejected": "widen propertyNames so every declared property name still matches",
    "min_properties_added": _KEEP_OR_RELAX,
    "min_properties_increased": _KEEP_OR_RELAX,
    "max_properties_added": _KEEP_OR_RELAX,
    "max_properties_decreased": _KEEP_OR_RELAX,
    "dependency_added": "drop the new dependentRequired/dependencies entry",
    "dependent_schema_added": "drop the new dependentSchemas/dependencies schema",
    "conditional_changed": (
        "if/then/else cannot be compared structurally; keep it as it was in the previous version"
    ),
    # references and limits
    "unresolvable_reference": (
        "use local references only ('#/$defs/...', '#/definitions/...'); references to other "
        "documents are not resolved by this checker"
    ),
    "too_deeply_nested": "flatten the schema; it nests deeper than the checker follows",
}


def incompatibility(path: str, rule: str, message: str) -> Incompatibility:
    """Build an :class:`Incompatibility` with the hint registered for ``rule``."""
    return Incompatibility(path=path, rule=rule, message=message, hint=RULE_HINTS[rule])
