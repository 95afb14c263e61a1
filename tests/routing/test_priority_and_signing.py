"""The impact × urgency matrix and impact policy (properties); webhook signatures."""

from __future__ import annotations

import time
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hub.routing.priority import PRIORITY_MATRIX, ImpactPolicy, grader, priority_of
from hub.routing.targets import sign, verify_signature

POLICY = ImpactPolicy(store_tiers={"FLAG": 1, "SMALL": 3})
values = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
levels = st.integers(min_value=1, max_value=3)


def test_matrix_is_servicenows_three_by_three() -> None:
    assert priority_of(1, 1) == 1
    assert priority_of(3, 3) == 5
    assert len(PRIORITY_MATRIX) == 9


@given(levels, levels, levels)
def test_a_graver_impact_or_urgency_never_lowers_the_priority(i: int, u: int, j: int) -> None:
    if j <= i:
        assert priority_of(j, u) <= priority_of(i, u)
        assert priority_of(u, j) <= priority_of(u, i)


@given(values, values)
def test_more_value_at_risk_never_means_less_impact(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert POLICY.impact(high, store=None, customer=None) <= POLICY.impact(
        low, store=None, customer=None
    )


@given(values)
def test_a_flagship_store_raises_impact_one_level_and_never_past_one(value: Decimal) -> None:
    usual = POLICY.impact(value, store="SMALL", customer=None)
    flagship = POLICY.impact(value, store="FLAG", customer=None)
    assert flagship == max(1, usual - 1)


PLACES = st.sampled_from([None, "", "FLAG", "SMALL", "KEY", "elsewhere"])


@given(values, PLACES, PLACES)
def test_the_engines_grader_grades_as_the_policy(
    value: Decimal, store: str | None, customer: str | None
) -> None:
    policy = POLICY.model_copy(update={"customer_tiers": {"KEY": 1, "FLAG": 3}})
    assert grader(policy)(value, store, customer) == policy.impact(
        value, store=store, customer=customer
    )


def test_signature_covers_body_and_time_and_expires() -> None:
    body = b'{"task_id":1}'
    now = str(int(time.time()))
    signature = sign("k", now, body)
    assert verify_signature("k", now, body, signature)
    assert not verify_signature("k", now, body + b" ", signature)
    old = str(int(time.time()) - 3600)
    assert not verify_signature("k", old, body, sign("k", old, body))
    assert not verify_signature("k", "not-a-time", body, signature)
