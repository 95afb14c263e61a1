"""How a ``$ref`` reaches a referenced schema: the URIs it answers to, and the bundle the
compatibility checker reads (every ``$ref`` made a local pointer)."""

from __future__ import annotations

from hub.registry.compat import check_pair
from hub.registry.document import compile_validator
from hub.registry.references import bundle, resource_uris

MONEY = {
    "definitions": {
        "amount": {"type": "string", "pattern": "^[0-9]+$"},
        "currency": {"type": "string", "minLength": 3, "maxLength": 3},
    },
    "type": "object",
    "properties": {
        "amount": {"$ref": "#/definitions/amount"},
        "currency": {"$ref": "#/definitions/currency"},
    },
}
LINE = {
    "$id": "https://example.com/line.json",
    "type": "object",
    "properties": {"price": {"$ref": "money.json"}, "qty": {"type": "integer"}},
}
ORDER = {
    "$id": "https://example.com/order.json",
    "type": "object",
    "properties": {
        "lines": {"type": "array", "items": {"$ref": "https://example.com/line.json"}},
        "total": {"$ref": "money.json"},
        "currency": {"$ref": "money.json#/definitions/currency"},
    },
}
RESOURCES = {"line.json": LINE, "money.json": MONEY}


def test_a_reference_answers_to_its_name_its_name_under_each_id_and_its_own_id() -> None:
    uris = resource_uris(ORDER, RESOURCES)
    assert uris["line.json"] == "line.json"
    assert uris["https://example.com/line.json"] == "line.json"
    assert uris["money.json"] == "money.json"
    assert uris["https://example.com/money.json"] == "money.json"


def test_the_bundle_has_only_local_refs_that_resolve_inside_it() -> None:
    bundled = bundle(ORDER, RESOURCES)
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    refs.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(bundled)
    assert refs
    assert all(r.startswith("#/") for r in refs)
    # referenced schemas lose their $id: pointers inside them resolve against the bundle
    assert all("$id" not in embedded for embedded in bundled["$defs"].values())
    # a referenced schema's own local refs point into its embedded copy
    money_key = next(k for k, v in bundled["$defs"].items() if "definitions" in v)
    assert bundled["$defs"][money_key]["properties"]["amount"]["$ref"] == (
        f"#/$defs/{money_key}/definitions/amount"
    )
    validator = compile_validator(bundled)
    good = {"lines": [{"price": {"amount": "12", "currency": "EUR"}, "qty": 1}], "currency": "EUR"}
    assert validator.is_valid(good)
    assert not validator.is_valid({"lines": [{"price": {"amount": "x"}}]})
    assert not validator.is_valid({"currency": "EURO"})


def test_validation_with_the_registry_agrees_with_the_bundle() -> None:
    direct = compile_validator(ORDER, RESOURCES)
    assert direct.is_valid({"total": {"amount": "5", "currency": "USD"}})
    assert not direct.is_valid({"total": {"amount": "5", "currency": "US"}})


def test_the_checker_compares_through_references() -> None:
    looser_money = {**MONEY, "definitions": {**MONEY["definitions"], "amount": {"type": "string"}}}
    old = bundle(ORDER, RESOURCES)
    new = bundle(ORDER, {**RESOURCES, "money.json": looser_money})
    assert check_pair(new, old) == []  # the new reads everything the old wrote
    findings = check_pair(old, new)  # the old cannot read every amount the new writes
    assert findings
    assert any("amount" in f.path for f in findings)


def test_unknown_refs_and_anchors_are_left_for_the_checker_to_report() -> None:
    root = {"properties": {"a": {"$ref": "elsewhere.json"}, "b": {"$ref": "money.json#anchor"}}}
    bundled = bundle(root, {"money.json": MONEY})
    assert bundled["properties"]["a"]["$ref"] == "elsewhere.json"
    assert bundled["properties"]["b"]["$ref"] == "money.json#anchor"
    writer = {"properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    findings = [f for f in check_pair(bundled, writer) if f.rule == "unresolvable_reference"]
    assert sorted(f.path for f in findings) == ["#/properties/a", "#/properties/b"]


def test_without_references_the_schema_is_unchanged() -> None:
    assert bundle(ORDER, {}) is ORDER
    assert bundle(True, RESOURCES) is True
