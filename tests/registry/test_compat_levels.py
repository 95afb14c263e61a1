"""Compatibility levels: who reads whom, against the latest or every registered version."""

from __future__ import annotations

from typing import Any

import pytest

from hub.registry.compat import CompatibilityLevel, check_compatibility

L = CompatibilityLevel
S: dict[str, Any] = {"type": "string"}


def order(*, qty: str = "integer", closed: bool = False, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"id": S, "qty": {"type": qty}, **extra},
        "required": ["id"],
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


# (name, old, new, levels under which `new` may follow `old`)
EVOLUTIONS: list[tuple[str, dict[str, Any], dict[str, Any], set[CompatibilityLevel]]] = [
    ("unchanged", order(), order(), set(L)),
    ("qty widened to number", order(), order(qty="number"),
     {L.NONE, L.BACKWARD, L.BACKWARD_TRANSITIVE}),
    ("qty narrowed to integer", order(qty="number"), order(),
     {L.NONE, L.FORWARD, L.FORWARD_TRANSITIVE}),
    ("optional field added to a closed model", order(closed=True),
     order(closed=True, note=S), {L.NONE, L.BACKWARD, L.BACKWARD_TRANSITIVE}),
    ("optional field added to an open model (strict rule)", order(), order(note=S),
     {L.NONE, L.FORWARD, L.FORWARD_TRANSITIVE}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [pytest.param(old, new, allowed, id=name) for name, old, new, allowed in EVOLUTIONS],
)
@pytest.mark.parametrize("level", list(L))
def test_level_allows_exactly_the_expected_evolutions(
    old: dict[str, Any], new: dict[str, Any], allowed: set[CompatibilityLevel], level: L
) -> None:
    found = check_compatibility(new, [old], level)
    assert (not found) == (level in allowed), [(i.path, i.rule, i.message) for i in found]


# A v1 -> v2 -> v3 chain: v2 requires loyalty_id but gives it a default (allowed, as in
# Confluent: the reader fills it for v1 data); v3 drops the default. v3 reads v2 data, whose
# writers always send loyalty_id, but not v1 data, which never had it.
V1 = {"type": "object", "properties": {"id": S}, "additionalProperties": False}
V2 = {
    "type": "object",
    "properties": {"id": S, "loyalty_id": {"type": "string", "default": ""}},
    "required": ["loyalty_id"],
    "additionalProperties": False,
}
V3 = {**V2, "properties": {"id": S, "loyalty_id": S}}


def test_chain_v2_is_backward_compatible_with_v1() -> None:
    assert check_compatibility(V2, [V1], L.BACKWARD) == []


@pytest.mark.parametrize("level", [L.BACKWARD, L.FORWARD, L.FULL, L.NONE])
def test_v3_passes_levels_that_only_look_at_the_latest_version(level: L) -> None:
    assert check_compatibility(V3, [V1, V2], level) == []


@pytest.mark.parametrize(
    ("level", "rule"),
    [
        (L.BACKWARD_TRANSITIVE, "required_property_added"),
        (L.FORWARD_TRANSITIVE, "property_removed_from_closed_content_model"),
        (L.FULL_TRANSITIVE, "required_property_added"),
    ],
)
def test_v3_fails_transitive_levels_because_of_v1(level: L, rule: str) -> None:
    found = check_compatibility(V3, [V1, V2], level)
    assert found
    assert {i.path for i in found} == {"#/properties/loyalty_id"}
    assert rule in {i.rule for i in found}
    assert all(" vs version 1 " in i.message for i in found)


def test_full_transitive_reports_both_directions() -> None:
    found = check_compatibility(V3, [V1, V2], L.FULL_TRANSITIVE)
    directions = {i.message.split(" vs ")[0] for i in found}
    assert directions == {"BACKWARD", "FORWARD"}


def test_messages_name_the_registry_version_and_direction() -> None:
    found = check_compatibility(order(qty="number"), [order()], L.FORWARD, versions=[7])
    (incompatibility,) = found
    assert incompatibility.message.startswith(
        "FORWARD vs version 7 (it must read data of the new schema): "
    )
    assert incompatibility.path == "#/properties/qty"
    assert incompatibility.rule == "type_narrowed"
    assert incompatibility.hint


def test_non_transitive_levels_check_only_the_latest_version() -> None:
    # The new schema breaks the oldest version only; BACKWARD does not look at it.
    incompatible_with_v1 = order(qty="string")
    assert (
        check_compatibility(incompatible_with_v1, [order(), incompatible_with_v1], L.BACKWARD) == []
    )
    found = check_compatibility(
        incompatible_with_v1, [order(), incompatible_with_v1], L.BACKWARD_TRANSITIVE
    )
    assert [i.rule for i in found] == ["type_changed"]


def test_none_and_a_first_version_never_conflict() -> None:
    assert check_compatibility(order(qty="string"), [order()], L.NONE) == []
    assert check_compatibility(order(), [], L.FULL_TRANSITIVE) == []


def test_level_may_be_given_as_its_name() -> None:
    found = check_compatibility(order(note=S), [order()], "BACKWARD")  # type: ignore[arg-type]
    assert [i.rule for i in found] == ["property_added_to_open_content_model"]


def test_versions_must_match_the_existing_schemas() -> None:
    with pytest.raises(ValueError, match="every existing schema"):
        check_compatibility(order(), [order()], L.BACKWARD, versions=[1, 2])
