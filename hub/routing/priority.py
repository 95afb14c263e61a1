"""Priority from impact × urgency, as ServiceNow computes it; impact from what is at stake.

Impact (1 high … 3 low) comes from the value at risk against the rules file's thresholds, raised
one level for a top-tier store or customer. Urgency (1 … 3) is the rule's. The matrix is the
usual 3 × 3 one giving P1 (critical) … P5 (planning).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PRIORITY_MATRIX", "Grade", "ImpactPolicy", "grader", "priority_of"]

PRIORITY_MATRIX: dict[tuple[int, int], int] = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}  # fmt: skip
"""(impact, urgency) → priority, 1 = critical … 5 = planning."""

_Level = Annotated[int, Field(ge=1, le=3)]


class ImpactPolicy(BaseModel):
    """How value at risk and tier become an impact level (rules file ``impact:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    high_value: Decimal = Decimal(5000)
    """Value at risk from which impact is 1 (high)."""
    medium_value: Decimal = Decimal(500)
    """Value at risk from which impact is 2 (medium); below it impact is 3 (low)."""
    store_tiers: dict[str, _Level] = Field(default_factory=dict)
    """Store id → tier (1 flagship … 3 small); tier 1 raises impact one level."""
    customer_tiers: dict[str, _Level] = Field(default_factory=dict)
    """Customer ref → tier (1 key account … 3); tier 1 raises impact one level."""
    default_tier: _Level = 2

    def store_tier(self, store: str | None) -> int:
        """The tier of ``store`` (default tier when unknown or None)."""
        return self.store_tiers.get(store or "", self.default_tier)

    def customer_tier(self, customer: str | None) -> int:
        """The tier of ``customer`` (default tier when unknown or None)."""
        return self.customer_tiers.get(customer or "", self.default_tier)

    def impact(self, value_at_risk: Decimal, *, store: str | None, customer: str | None) -> int:
        """Impact level 1…3 for ``value_at_risk`` at ``store`` for ``customer``."""
        if value_at_risk >= self.high_value:
            level = 1
        elif value_at_risk >= self.medium_value:
            level = 2
        else:
            level = 3
        # the tiers of store_tier and customer_tier, looked up here: two calls a match
        tier = self.default_tier
        if self.store_tiers.get(store or "", tier) == 1 or (
            self.customer_tiers.get(customer or "", tier) == 1
        ):
            level = max(1, level - 1)
        return level


Grade = Callable[[Decimal, str | None, str | None], int]
"""(value at risk, store, customer) → impact level, as :meth:`ImpactPolicy.impact` gives it."""


def grader(policy: ImpactPolicy) -> Grade:
    """:meth:`ImpactPolicy.impact` as a function over ``policy``'s values read once (the
    policy is frozen): reading a pydantic model's attributes passes its ``__getattr__`` hook,
    five of them twice a match."""
    high, medium = policy.high_value, policy.medium_value
    stores, customers, default = policy.store_tiers, policy.customer_tiers, policy.default_tier

    def impact(value_at_risk: Decimal, store: str | None, customer: str | None) -> int:
        level = 1 if value_at_risk >= high else 2 if value_at_risk >= medium else 3
        if stores.get(store or "", default) == 1 or customers.get(customer or "", default) == 1:
            level = max(1, level - 1)
        return level

    return impact


def priority_of(impact: int, urgency: int) -> int:
    """Priority 1…5 for ``impact`` and ``urgency`` (each 1…3) from :data:`PRIORITY_MATRIX`."""
    return PRIORITY_MATRIX[(impact, urgency)]
