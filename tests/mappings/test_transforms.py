"""Built-in transforms and the transform registry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from mappings import register_transform
from mappings.transforms import get_transform, transform_names

from .conftest import CompileYaml


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("strip", "  a ", "a"),
        ("upper", "ab", "AB"),
        ("lower", "AB", "ab"),
        ("str", 12, "12"),
        ("decimal", "12.50", Decimal("12.50")),
        ("decimal", "-3", Decimal("-3")),
        ("decimal", "", None),
        ("decimal", 7, Decimal(7)),
        ("decimal", 0.1, Decimal("0.1")),
        ("decimal_comma", "1,5", Decimal("1.5")),
        ("int", " 42 ", 42),
        ("int", "", None),
        ("bool", "Y", True),
        ("bool", "no", False),
        ("date", "2026-11-20", date(2026, 11, 20)),
        ("date", "20261120", date(2026, 11, 20)),
        ("datetime", "2026-11-20T06:05:00", datetime(2026, 11, 20, 6, 5, tzinfo=UTC)),
        ("datetime", "2026-11-20T07:05:00+01:00", datetime(2026, 11, 20, 6, 5, tzinfo=UTC)),
        ("datetime", "2026-11-20T06:05:00Z", datetime(2026, 11, 20, 6, 5, tzinfo=UTC)),
        ("datetime", "202611200605", datetime(2026, 11, 20, 6, 5, tzinfo=UTC)),
        ("datetime", "20261120060507", datetime(2026, 11, 20, 6, 5, 7, tzinfo=UTC)),
    ],
)
def test_builtin_transform_converts(name: str, raw: Any, expected: Any) -> None:
    assert get_transform(name)(raw) == expected


def test_datetime_with_offset_is_converted_to_utc() -> None:
    result = get_transform("datetime")("2026-11-20T07:05:00+01:00")
    assert result.utcoffset() == timedelta(0)
    assert result.tzinfo == UTC


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("decimal", "1,5", "not a decimal number"),
        ("decimal", "NaN", "not a decimal number"),
        ("decimal", "Infinity", "not a decimal number"),
        ("decimal", "1_000", "not a decimal number"),
        ("decimal", True, "got a boolean"),
        ("decimal_comma", "1.234,5", "contains '.'"),
        ("int", "1.5", "not a whole number"),
        ("bool", "maybe", "not a yes/no value"),
        ("date", "2026-13-01", "not a date"),
        ("datetime", "yesterday", "not a timestamp"),
        ("strip", 5, "expected text, got int"),
    ],
)
def test_builtin_transform_rejects_with_reason(name: str, raw: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        get_transform(name)(raw)


def test_registered_transform_is_usable_in_specs(compile_yaml: CompileYaml) -> None:
    register_transform("test_reverse", lambda value: value[::-1], replace=True)
    assert "test_reverse" in transform_names()
    mapping = compile_yaml("fields:\n  r: {path: x, transform: [strip, test_reverse]}\n")
    assert mapping({"x": " abc "}) == {"r": "cba"}


def test_registering_a_taken_name_needs_replace() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_transform("decimal", lambda value: value)


def test_unknown_transform_lookup_lists_known_names() -> None:
    with pytest.raises(KeyError, match=r"known: bool, country, date"):
        get_transform("nope")


def test_replaced_strip_is_called_not_inlined(compile_yaml: CompileYaml) -> None:
    original = get_transform("strip")
    register_transform("strip", lambda value: value.strip("*"), replace=True)
    try:
        mapping = compile_yaml("fields:\n  r: {path: x, transform: strip}\n")
        assert mapping({"x": "*a*"}) == {"r": "a"}
    finally:
        register_transform("strip", original, replace=True)
