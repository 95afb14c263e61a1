"""A rule whose every expression lowers runs as one Python function (``CompiledRule.native``,
:func:`hub.routing.native.lower_rule`): it must decide what the rule's expressions evaluated
one by one decide, errors included (the function gives up and the expressions then decide)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench_routing_bulk import bulk_events
from hub.routing import engine as engine_module
from hub.routing.engine import Decision, Memo, RoutingEngine
from hub.routing.loader import load_engine
from hub.routing.rules import RulesFile
from tests.canonical.strategies import (
    inventory_v1_payloads,
    inventory_v2_payloads,
    order_v1_payloads,
)
from tests.routing.events import envelope
from tests.routing.test_validated import published

_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# Expressions that fail on some events (a field only some payloads have, a condition that is a
# number, a string plus a number), and ones that lower and succeed: each rule continues, so an
# event meets all of them.
_TRICKY = """
version: 3
targets: {ops: {kind: memory}}
rules:
  - id: lot
    events: [retail.inventory.adjusted]
    condition: facts.is_count && facts.abs_variance_units >= 1.0
    category: inventory_variance
    labels: {store: data.location_id, lot: data.lot_number}
    line: {sku: data.sku, counted: facts.counted}
    dedup_key: data.location_id + '/' + data.sku
    value_at_risk: facts.abs_variance_units * 2.5
    group_by: [store]
    targets: [ops]
    continue: true
  - id: not-a-bool
    events: [retail.inventory.adjusted]
    condition: "facts.has_expected ? facts.variance_pct : false"
    category: inventory_variance
    targets: [ops]
    continue: true
  - id: string-plus-number
    events: [retail.inventory.adjusted]
    condition: facts.is_count
    category: inventory_variance
    title: "'Count of ' + data.sku"
    line: {odd: "data.sku + facts.variance_units"}
    targets: [ops]
    continue: true
  - id: gtin
    events: [retail.inventory.adjusted]
    condition: "has(data.gtin) && data.gtin != '' || facts.variance_units < 0.0"
    category: inventory_variance
    store: data.location_id
    labels: {gtin: "has(data.gtin) ? data.gtin : 'none'"}
    dedup_key: data.sku
    targets: [ops]
    continue: true
"""


@contextmanager
def _expressions_only() -> Iterator[None]:
    """Engines built inside compile no rule whole: their expressions are evaluated one by one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_module, "lower_rule", lambda *_args: None)
        yield


def _pair(make: Any) -> tuple[RoutingEngine, RoutingEngine]:
    compiled = make()
    with _expressions_only():
        plain = make()
    return compiled, plain


def _tricky() -> RoutingEngine:
    return RoutingEngine(RulesFile.model_validate(yaml.safe_load(_TRICKY)))


def _outcome(decision: Decision) -> Any:
    return (
        [m.summary() for m in decision.matches],
        [(m.store, m.customer, m.defer_key) for m in decision.matches],
        decision.errors,
        decision.cancels,
        decision.tested,
    )


def test_the_bundled_stock_rules_and_the_tricky_ones_are_compiled_whole() -> None:
    engine = load_engine()
    assert engine.by_id["stock-variance-recount"].native is not None
    assert engine.by_id["stock-variance-district"].native is not None
    assert all(c.native is not None for c in _tricky().compiled)
    with _expressions_only():
        assert all(c.native is None for c in load_engine().compiled)


def test_the_compiled_rules_decide_the_bulk_events_as_the_expressions_do() -> None:
    compiled, plain = _pair(load_engine)
    events = bulk_events(400)
    memo_a: Memo = {}
    memo_b: Memo = {}
    matched = 0
    for event in events:
        got = compiled.decide(event, _AT, validated=True, memo=memo_a)
        expected = plain.decide(event, _AT, validated=True, memo=memo_b)
        assert _outcome(got) == _outcome(expected)
        matched += len(got.matches)
    assert matched > len(events)  # most are variances both stock rules match


def _drawn_events() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(
            lambda d: published(envelope("retail.inventory.adjusted", 1, d, _AT)),
            inventory_v1_payloads(),
        ),
        st.builds(
            lambda d: published(envelope("retail.inventory.adjusted", 2, d, _AT)),
            inventory_v2_payloads(),
        ),
        st.builds(
            lambda d: published(envelope("retail.order.created", 1, d, _AT)), order_v1_payloads()
        ),
    )


_BUNDLED = _pair(load_engine)
_TRICKY_PAIR = _pair(_tricky)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_drawn_events(), min_size=1, max_size=8), st.booleans())
def test_the_compiled_rules_decide_drawn_events_as_the_expressions_do(
    events: list[dict[str, Any]], validated: bool
) -> None:
    for compiled, plain in (_BUNDLED, _TRICKY_PAIR):
        memo_a: Memo = {}
        memo_b: Memo = {}
        for event in events:
            got = compiled.decide(event, _AT, validated=validated, memo=memo_a)
            expected = plain.decide(event, _AT, validated=validated, memo=memo_b)
            assert _outcome(got) == _outcome(expected)


def test_an_expression_error_is_reported_as_the_expressions_report_it() -> None:
    compiled, plain = _TRICKY_PAIR
    event = published(
        envelope(
            "retail.inventory.adjusted",
            1,
            {
                "location_id": "S1",
                "sku": "A",
                "counted_quantity": {"value": "4", "unit": "C62"},
                "expected_on_hand": {"value": "10", "unit": "C62"},
                "reason": "cycle_count",
                "occurred_at": _AT.isoformat(),
            },
            _AT,
        )
    )
    got, expected = compiled.decide(event, _AT), plain.decide(event, _AT)
    assert _outcome(got) == _outcome(expected)
    # v1 has no lot number; a variance percent is no bool; a SKU plus a number is no CEL
    assert len(got.errors) == 3
    assert "lot_number" in got.errors[0]
    assert "must be a bool" in got.errors[1]
    assert [m.rule.rule.id for m in got.matches] == ["gtin"]
