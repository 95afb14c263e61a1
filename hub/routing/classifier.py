"""The classifier hook: a second opinion (label, confidence) on an exception a rule matched.

A rule names a classifier and a threshold (``classifier:`` in routing.yaml). Below the threshold
the task goes to the rule's human-review target instead of its usual targets; when the
classifier raises, the deterministic rule decides alone and the audit says so.

Plugging in another classifier: write a class with ``name`` and
``classify(context) -> Classification``, then either pass it to
:class:`~hub.routing.engine.RoutingEngine` (``classifiers={...}``) or register it under the entry
point group ``crossdock.routing.classifiers`` (``name = "package.module:Class"``); it is built
with no arguments.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from hub.routing.context import EventContext
from hub.routing.errors import RoutingError

__all__ = [
    "Classification",
    "Classifier",
    "InsufficientHistory",
    "VarianceHistoryScorer",
    "load_classifiers",
]


@dataclass(frozen=True, slots=True)
class Classification:
    """What a classifier says: a label and how sure it is (0…1)."""

    label: str
    confidence: float


class InsufficientHistory(RoutingError, LookupError):
    """The scorer has too little history for this store × SKU to judge."""


@runtime_checkable
class Classifier(Protocol):
    """Something that labels an exception with a confidence."""

    name: str

    def classify(self, context: EventContext) -> Classification:
        """Label the event in ``context``; may raise, the rule then decides alone."""
        ...


class VarianceHistoryScorer:
    """Judges a stock-count variance against the history of that store × SKU.

    Keeps the last ``window`` variance percentages per (store, SKU) in memory, for the
    ``max_keys`` pairs counted most recently (the least recently counted is forgotten first:
    a bulk file of a million SKUs would otherwise grow the hub by its every pair). A pair is
    kept under one string, and a pair counted once by its one value: a tuple of the event's
    own two strings kept both alive, and a one-value tuple besides, about 290 bytes a pair
    where this is about 130 (a routed hub holds 50,000).

    With fewer than ``min_history`` earlier counts it cannot tell and raises
    :class:`InsufficientHistory`, so the rule decides alone. Otherwise the z-score of this
    variance against the history gives the label (``anomalous`` from ``z_anomalous``) and the
    confidence (how far the score is from the boundary, squashed into 0.5…1).
    """

    name = "variance-history"

    def __init__(
        self,
        *,
        window: int = 50,
        min_history: int = 5,
        z_anomalous: float = 2.0,
        max_keys: int = 50_000,
    ):
        self.window = window
        self.min_history = min_history
        self.z_anomalous = z_anomalous
        self.max_keys = max_keys
        # store × SKU (_pair) → its last variances, oldest first (one value alone, not in a
        # tuple); the most recently counted pair last
        self._history: OrderedDict[str, float | tuple[float, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def classify(self, context: EventContext) -> Classification:
        """Score this count's variance, then remember it for the next one."""
        found = self.opinion(context)
        if isinstance(found, InsufficientHistory):
            raise found
        return found

    def opinion(self, context: EventContext) -> Classification | InsufficientHistory:
        """What :meth:`classify` gives, too little history returned instead of raised: the
        engine asks this of the built-in scorer, whose usual answer on a bulk file of new pairs
        is that one (raising and catching it was ~2.5 µs of each event)."""
        store, sku = str(context.data["location_id"]), str(context.data["sku"])
        value = float(context.facts["variance_pct"])
        key = _pair(store, sku)
        with self._lock:
            kept = self._history
            earlier = kept.pop(key, ())
            history = (earlier,) if isinstance(earlier, float) else earlier
            now = (*history, value)[-self.window :]
            kept[key] = now[0] if len(now) == 1 else now
            if len(kept) > self.max_keys:
                kept.popitem(last=False)
        if len(history) < self.min_history:
            # no basis for an opinion: the deterministic rule decides (and the audit says why)
            return InsufficientHistory(
                f"{len(history)} earlier counts of {sku} at {store}, {self.min_history} needed"
            )
        mean = sum(history) / len(history)
        spread = math.sqrt(sum((h - mean) ** 2 for h in history) / len(history)) or 1.0
        z = abs(value - mean) / spread
        label = "anomalous" if z >= self.z_anomalous else "usual"
        distance = abs(z - self.z_anomalous)
        return Classification(label, 0.5 + 0.5 * math.tanh(distance))


def _pair(store: str, sku: str) -> str:
    """One string for a store × SKU; the store's length first, so no two pairs share one."""
    return f"{len(store)}:{store}{sku}"


def load_classifiers() -> dict[str, Classifier]:
    """The built-in scorer plus every classifier registered under the entry point group."""
    found: dict[str, Classifier] = {VarianceHistoryScorer.name: VarianceHistoryScorer()}
    for ep in entry_points(group="crossdock.routing.classifiers"):
        instance = ep.load()()
        found[ep.name] = instance
    return found
