"""What the variance-history scorer keeps a store × SKU (issue 19: a routed hub's memory)."""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from types import SimpleNamespace
from typing import Any

import orjson

from hub.routing.classifier import InsufficientHistory, VarianceHistoryScorer


def _count(scorer: VarianceHistoryScorer, store: str, sku: str, variance: float) -> Any:
    # the event as routing has it: parsed from the bus message's JSON, its own strings
    data = orjson.loads(orjson.dumps({"location_id": store, "sku": sku}))
    context: Any = SimpleNamespace(data=data, facts={"variance_pct": variance})
    return scorer.classify(context)


def test_a_pair_counted_once_is_kept_in_under_200_bytes() -> None:
    # a routed hub keeps 50,000 pairs: as (store, SKU) tuples of the events' own strings with
    # a one-value tuple each they were about 330 bytes a pair, 16 MB (24 MB of RSS)
    scorer = VarianceHistoryScorer()
    pairs = 20_000
    tracemalloc.start()
    try:
        for i in range(pairs):
            with contextlib.suppress(InsufficientHistory):
                _count(scorer, str(1000 + i % 40), f"SKU-{i:07d}", -12.5)
        gc.collect()  # what the scorer keeps, not garbage the collector has not reached yet
        kept, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept / pairs < 200


def test_pairs_whose_strings_run_together_stay_apart() -> None:
    scorer = VarianceHistoryScorer(min_history=1)
    with contextlib.suppress(InsufficientHistory):
        _count(scorer, "10", "01", -10.0)
    # "100" × "1" would be "1001" too, joined without the store's length
    with contextlib.suppress(InsufficientHistory):
        _count(scorer, "100", "1", -10.0)
    with contextlib.suppress(InsufficientHistory):
        _count(scorer, "100", "1", -10.0)
    assert _count(scorer, "10", "01", -10.0).label == "usual"
    assert len(scorer._history) == 2
