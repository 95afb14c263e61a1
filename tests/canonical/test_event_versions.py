"""Event registry lookups and typed errors, and the caster chain on a test-local toy event."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from canonical import (
    CanonicalError,
    DuplicateRegistration,
    EventData,
    EventRegistry,
    InvalidCaster,
    InvalidEventTarget,
    InventoryAdjustedV1,
    InventoryAdjustedV2,
    NoCastPath,
    OrderCreatedV2,
    OrderCreatedV3,
    UnknownEventType,
    UnknownEventVersion,
    default_registry,
    event_model,
    event_types,
    latest_version,
    parse_target,
    versions,
)


def test_builtin_types_and_versions_are_registered() -> None:
    assert event_types() == [
        "retail.inventory.adjusted",
        "retail.invoice.matched",
        "retail.order.created",
        "retail.return.authorized",
    ]
    assert versions("retail.inventory.adjusted") == [1, 2]
    assert latest_version("retail.inventory.adjusted") == 2
    assert event_model("retail.inventory.adjusted", 1) is InventoryAdjustedV1
    assert event_model("retail.inventory.adjusted", 2) is InventoryAdjustedV2
    assert versions("retail.order.created") == [1, 2, 3]
    assert latest_version("retail.order.created") == 3
    assert event_model("retail.order.created", 2) is OrderCreatedV2
    assert event_model("retail.order.created", 3) is OrderCreatedV3
    assert latest_version("retail.return.authorized") == 1
    assert all(default_registry.knows(t) for t in event_types())
    assert not default_registry.knows("retail.unknown.thing")
    assert not default_registry.knows("")


def test_unknown_type_and_version_raise_typed_errors_under_the_root() -> None:
    with pytest.raises(UnknownEventType, match=r"'retail\.nope'") as caught:
        event_model("retail.nope", 1)
    assert isinstance(caught.value, CanonicalError)
    assert isinstance(caught.value, LookupError)
    with pytest.raises(UnknownEventVersion, match=r"unknown version 9 .* known versions: 1, 2"):
        event_model("retail.order.created", 9)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("retail.inventory.adjusted@1", ("retail.inventory.adjusted", 1)),
        ("retail.order.created@12", ("retail.order.created", 12)),
    ],
)
def test_parse_target(target: str, expected: tuple[str, int]) -> None:
    assert parse_target(target) == expected


@pytest.mark.parametrize(
    "target", ["retail.order.created", "retail.order.created@0", "@1", "Retail.Order@1", "a@1@2"]
)
def test_malformed_targets_are_rejected(target: str) -> None:
    with pytest.raises(InvalidEventTarget):
        parse_target(target)


# A toy event with three versions: v2 renamed qty to quantity, v3 added a note.
class ToyV1(EventData):
    event_type: ClassVar[str] = "test.toy.changed"
    event_version: ClassVar[int] = 1
    qty: int


class ToyV2(EventData):
    event_type: ClassVar[str] = "test.toy.changed"
    event_version: ClassVar[int] = 2
    quantity: int


class ToyV3(EventData):
    event_type: ClassVar[str] = "test.toy.changed"
    event_version: ClassVar[int] = 3
    quantity: int
    note: str = ""


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in data.items() if k != "qty"}
    return rest | {"quantity": data["qty"]}


def _v2_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in data.items() if k != "quantity"}
    return rest | {"qty": data["quantity"]}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    return data | {"note": ""}


def _v3_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "note"}


@pytest.fixture
def toys() -> EventRegistry:
    registry = EventRegistry([ToyV1, ToyV2, ToyV3])
    registry.register_caster("test.toy.changed", 1, 2, _v1_to_v2)
    registry.register_caster("test.toy.changed", 2, 1, _v2_to_v1)
    registry.register_caster("test.toy.changed", 2, 3, _v2_to_v3)
    registry.register_caster("test.toy.changed", 3, 2, _v3_to_v2, lossy_fields=["note"])
    return registry


def test_upcast_chains_through_every_step(toys: EventRegistry) -> None:
    assert toys.convert("test.toy.changed", {"qty": 5}, 1, 3) == {"quantity": 5, "note": ""}


def test_downcast_chains_back_and_names_lossy_fields(toys: EventRegistry) -> None:
    assert toys.convert("test.toy.changed", {"quantity": 5, "note": "x"}, 3, 1) == {"qty": 5}
    assert toys.lossy_fields("test.toy.changed", 3, 1) == ("note",)
    assert toys.lossy_fields("test.toy.changed", 1, 3) == ()


def test_convert_does_not_mutate_the_input(toys: EventRegistry) -> None:
    data = {"qty": 5}
    toys.convert("test.toy.changed", data, 1, 3)
    assert data == {"qty": 5}


def test_same_version_convert_returns_equal_data(toys: EventRegistry) -> None:
    assert toys.convert("test.toy.changed", {"quantity": 1}, 2, 2) == {"quantity": 1}


def test_missing_step_raises_no_cast_path_naming_the_step() -> None:
    registry = EventRegistry([ToyV1, ToyV2, ToyV3])
    registry.register_caster("test.toy.changed", 1, 2, _v1_to_v2)
    with pytest.raises(NoCastPath, match="no caster registered for step v2 -> v3"):
        registry.convert("test.toy.changed", {"qty": 1}, 1, 3)


def test_convert_to_an_unregistered_version_is_unknown_version(toys: EventRegistry) -> None:
    with pytest.raises(UnknownEventVersion):
        toys.convert("test.toy.changed", {"qty": 1}, 1, 4)


def test_broken_caster_output_fails_validation_in_convert() -> None:
    registry = EventRegistry([ToyV1, ToyV2])
    registry.register_caster("test.toy.changed", 1, 2, lambda data: {"qty": data["qty"]})
    with pytest.raises(ValidationError):
        registry.convert("test.toy.changed", {"qty": 1}, 1, 2)
    assert registry.convert("test.toy.changed", {"qty": 1}, 1, 2, validate=False) == {"qty": 1}


def test_casters_must_be_adjacent_and_registered_once(toys: EventRegistry) -> None:
    with pytest.raises(InvalidCaster):
        toys.register_caster("test.toy.changed", 1, 3, _v1_to_v2)
    with pytest.raises(DuplicateRegistration):
        toys.register_caster("test.toy.changed", 1, 2, _v1_to_v2)


def test_a_model_version_is_registered_once(toys: EventRegistry) -> None:
    with pytest.raises(DuplicateRegistration, match=r"test\.toy\.changed@1 is already registered"):
        toys.register_model(ToyV1)


def test_toy_registry_does_not_leak_into_the_default_one(toys: EventRegistry) -> None:
    assert "test.toy.changed" in toys.event_types()
    assert "test.toy.changed" not in event_types()


def test_a_registry_can_be_built_with_its_casts(toys: EventRegistry) -> None:
    steps = toys.cast_path("test.toy.changed", 3, 1)
    rebuilt = EventRegistry(
        [ToyV1, ToyV2, ToyV3], casts=[*toys.cast_path("test.toy.changed", 1, 3), *steps]
    )
    assert rebuilt.convert("test.toy.changed", {"quantity": 5, "note": "x"}, 3, 1) == {"qty": 5}
    assert rebuilt.lossy_fields("test.toy.changed", 3, 1) == ("note",)
