"""Routing decisions per second: 200 rules loaded next to 1 rule, and CEL next to plain Python.

Every case decides on the same stock-count event (validated, facts derived, CEL context built
once, then the event type's rules tested). The 200-rule file spreads its rules over 20 event
types (10 each, the matching one last among the stock-count rules), so indexing by event type is
what keeps the cost down. The CEL condition is also timed against a hand-written Python
predicate of the same condition on the same facts, and the whole decision against a hand-written
pipeline (pydantic validation + the same facts + the predicate).

Run: ``python -m benchmarks.bench_routing``.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from canonical import parse_envelope
from hub.routing.engine import RoutingEngine
from hub.routing.facts import facts_for
from hub.routing.rules import RulesFile

__all__ = ["run"]

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONDITION = "facts.abs_variance_units >= 3.0 && facts.variance_pct >= 10.0"
EVENT: dict[str, Any] = {
    "specversion": "1.0",
    "id": "bench-1",
    "source": "crossdock://bench",
    "type": "retail.inventory.adjusted",
    "time": "2026-11-23T09:00:00Z",
    "dataversion": 1,
    "data": {
        "location_id": "S001",
        "sku": "SKU-1",
        "counted_quantity": {"value": "5", "unit": "C62"},
        "expected_on_hand": {"value": "10", "unit": "C62"},
        "reason": "cycle_count",
        "occurred_at": "2026-11-23T09:00:00Z",
    },
}
_TARGETS = {"ops": {"kind": "memory"}}


def _rule(rule_id: str, event_type: str, condition: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "events": [event_type],
        "condition": condition,
        "category": "inventory_variance",
        "labels": {"store": "data.location_id"},
        "targets": ["ops"],
    }


def engine_with(n_rules: int) -> RoutingEngine:
    """``n_rules`` rules over 20 event types; the matching stock-count rule is tested last."""
    rules = []
    if n_rules > 1:
        types = ["retail.inventory.adjusted"] + [f"retail.bench.type{i}" for i in range(19)]
        per_type = n_rules // len(types)
        for t, event_type in enumerate(types):
            count = per_type - 1 if t == 0 else per_type
            rules += [
                _rule(f"r{t}-{i}", event_type, f"facts.abs_variance_units >= {1000 + i}.0")
                for i in range(count)
            ]
    rules.append(_rule("variance", "retail.inventory.adjusted", CONDITION))
    return RoutingEngine(
        RulesFile.model_validate({"version": 1, "targets": _TARGETS, "rules": rules}),
        classifiers={},
    )


def python_predicate(facts: dict[str, Any]) -> bool:
    """The CEL condition, hand-written."""
    return bool(facts["abs_variance_units"] >= Decimal(3) and facts["variance_pct"] >= Decimal(10))


def python_pipeline(event: dict[str, Any]) -> bool:
    """Validate, derive the same facts, test the predicate: the decision without CEL or rules."""
    envelope = parse_envelope(event)
    data = envelope.data.model_dump(mode="python")
    return python_predicate(facts_for(envelope.type, data, NOW))


def _per_call(fn: Callable[[], object], number: int) -> float:
    """Best seconds per call over five repeats."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def measure(number: int = 300) -> dict[str, float]:
    """Seconds per call of each case."""
    one, many = engine_with(1), engine_with(200)
    assert len(many.compiled) == 200
    for engine in (one, many):
        [match] = engine.decide(EVENT, NOW).matches
        assert match.rule.rule.id == "variance"
    assert python_pipeline(EVENT)
    ctx = one.context(EVENT, NOW)
    condition = one.by_id["variance"].condition
    assert condition.test(ctx.cel) is python_predicate(ctx.facts)
    # alternate the two rule counts round by round, so a noisy neighbour hits both alike
    decide_1, decide_200 = float("inf"), float("inf")
    for _ in range(5):
        decide_1 = min(decide_1, timeit.timeit(lambda: one.decide(EVENT, NOW), number=number))
        decide_200 = min(decide_200, timeit.timeit(lambda: many.decide(EVENT, NOW), number=number))
    return {
        "decide_1": decide_1 / number,
        "decide_200": decide_200 / number,
        "cel_condition": _per_call(lambda: condition.test(ctx.cel), number * 30),
        "python_predicate": _per_call(lambda: python_predicate(ctx.facts), number * 30),
        "python_pipeline": _per_call(lambda: python_pipeline(EVENT), number),
        "context": _per_call(lambda: one.context(EVENT, NOW), number),
    }


def run() -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, reference, verdict) for BENCHMARKS.md."""
    t = measure()
    ratio = t["decide_200"] / t["decide_1"]
    cel_ratio = t["cel_condition"] / t["python_predicate"]
    pipeline_ratio = t["decide_1"] / t["python_pipeline"]
    return [
        (
            "routing decisions/s, 200 rules (20 event types) vs 1 rule",
            f"{1 / t['decide_200']:,.0f}/s ({t['decide_200'] * 1e6:.0f} µs)",
            f"{1 / t['decide_1']:,.0f}/s ({t['decide_1'] * 1e6:.0f} µs)",
            f"{ratio:.2f}× the 1-rule cost (goal ≤ 5×): {'PASS' if ratio <= 5 else 'FAIL'}",
        ),
        (
            "CEL condition on a built context vs hand-written Python predicate",
            f"{t['cel_condition'] * 1e6:.2f} µs",
            f"{t['python_predicate'] * 1e6:.2f} µs",
            f"{cel_ratio:.1f}× (context build once per event: {t['context'] * 1e6:.0f} µs)",
        ),
        (
            "routing decision (1 rule) vs hand-written validate + facts + predicate",
            f"{t['decide_1'] * 1e6:.0f} µs",
            f"{t['python_pipeline'] * 1e6:.0f} µs",
            f"{pipeline_ratio:.2f}× (the rest is the CEL context, labels, dedup, impact)",
        ),
    ]


if __name__ == "__main__":
    for what, measured, reference, verdict in run():
        print(f"{what}\n  measured {measured}; reference {reference}; {verdict}")
