"""Expressions evaluated in Python (hub.routing.native) give CEL's answer, or leave it to CEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.routing.context import EventContext
from hub.routing.errors import ExpressionError
from hub.routing.expressions import Expression
from hub.routing.native import Unsupported, lower

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
GIVE_UP = (Unsupported, KeyError, TypeError)


def cel_value(source: str, variables: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "value", cel.compile(source).execute(cel.Context(variables))
    except Exception as exc:  # any CEL error: the expression has no value
        return "error", type(exc).__name__


def native_value(source: str, variables: dict[str, Any]) -> tuple[str, Any] | None:
    native = lower(source)
    if native is None:
        return None
    try:
        return "value", native(variables)
    except GIVE_UP:
        return None


VARIABLES: dict[str, Any] = {
    "facts": {
        "is_count": True,
        "has_expected": False,
        "units": 4.0,
        "pct": 12.5,
        "count": 7,
        "big": 2**62,
        "name": "S1",
        "nothing": None,
        "nested": {"a": 1.5},
        "when": NOW - timedelta(hours=1),
        "items": [1, 2],
    },
    "data": {"location_id": "1005", "sku": "SKU-1", "flag": 1},
    "now": NOW,
}

CASES = [
    "facts.is_count && facts.units >= 3 && facts.pct >= 10",
    "facts.is_count && facts.has_expected && facts.units >= 3",
    "facts.has_expected || facts.units >= 20 || facts.pct >= 50",
    "facts.units * 25.0",
    "facts.count * 25.0",  # int * double: CEL refuses
    "facts.count * 3",
    "facts.big * 4",  # overflow
    "facts.big + facts.big",
    "facts.count - 10",
    "facts.units - facts.pct",
    "'Recount at ' + data.location_id",
    "data.location_id + '/' + data.sku",
    "'n' + facts.count",  # string + int: CEL refuses
    "data.sku",
    "facts.nested",  # a map: CEL's own value
    "facts.nested.a >= 1",
    "facts.missing >= 1",
    "facts.has_expected && facts.missing",  # false && error: false
    "facts.missing && facts.has_expected",  # error && false: false in CEL
    "facts.is_count || facts.missing",
    "facts.missing || facts.is_count",
    "data.flag && true",  # int operand of &&
    "has(data.location_id) ? data.location_id : ''",
    "has(data.customer) ? data.customer : 'none'",
    "has(data.location_id) && data.location_id != null ? data.location_id : ''",
    "facts.nothing == null",
    "facts.nothing != 'x'",
    "facts.name == 'S1'",
    "facts.count == 7.0",
    "facts.is_count == 1",
    "facts.name < 'T'",
    "facts.name < 3",
    "facts.is_count < true",
    "now > facts.when",
    "facts.when",  # a timestamp: CEL's own value
    "!facts.is_count",
    "!facts.count",
    "facts.count ? 1 : 2",
    "-3 + facts.count",
    "(facts.units + 1.0) * 2.0",
    "facts.units == facts.count",
    "facts.items == facts.items",
    "size(data.sku) > 3",  # a function: not lowered
    "data.sku in ['a']",
    "1u + 2u",
    "0x10 + 1",
    "'a\\'b' + data.sku",
    "data['sku']",
    "facts.count / 2",
    "facts.big > 2.0",  # an int past 2**53 against a double: not exact in CEL
    "facts.big == 4611686018427387904.0",
]


@pytest.mark.parametrize("source", CASES)
def test_a_lowered_expression_gives_what_cel_gives_or_gives_up(source: str) -> None:
    native = native_value(source, VARIABLES)
    if native is not None:
        assert native == cel_value(source, VARIABLES)
        assert type(native[1]) is type(cel_value(source, VARIABLES)[1])


def test_the_rules_of_the_bundled_file_are_lowered() -> None:
    lowered = [lower(s) for s in CASES[:3] + CASES[10:12]]
    assert all(n is not None for n in lowered)
    assert native_value("facts.is_count && facts.units >= 3 && facts.pct >= 10", VARIABLES) == (
        "value",
        True,
    )
    assert lower("size(data.sku) > 3") is None
    assert lower("data['sku']") is None


def test_an_expression_on_a_scope_falls_back_to_cel_with_cels_error() -> None:
    ctx = EventContext({"id": "e"}, {}, {}, {"facts": {"count": 7}}, NOW)
    assert Expression.compile("r", "facts.count * 3").evaluate(ctx) == 21
    assert ctx._cel is None  # no CEL context was needed
    with pytest.raises(ExpressionError, match="r"):
        Expression.compile("r", "facts.count * 3.0").evaluate(ctx)
    assert Expression.compile("r", "facts.count * 3.0 > 1.0 || true").evaluate(ctx) is True


_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(alphabet="ab/", max_size=3),
    st.none(),
)
_LEAVES = st.one_of(
    st.sampled_from(["x.a", "x.b", "x.c", "x.missing", "true", "false", "null", "3", "2.5"]),
    st.sampled_from(["'a'", "'b/'", "-1", "0", "has(x.a)", "has(x.zz)"]),
)


def _expr(leaves: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        ops = ["&&", "||", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*"]
        binary = st.tuples(inner, st.sampled_from(ops), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        ternary = st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})")
        return st.one_of(binary, ternary, inner.map(lambda e: f"!({e})"))

    return st.recursive(leaves, grow, max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(source=_expr(_LEAVES), a=_SCALARS, b=_SCALARS, c=_SCALARS)
def test_random_expressions_agree_with_cel(source: str, a: Any, b: Any, c: Any) -> None:
    variables = {"x": {"a": a, "b": b, "c": c}}
    native = native_value(source, variables)
    if native is not None:
        expected = cel_value(source, variables)
        assert native == expected, source
        assert type(native[1]) is type(expected[1]), source
