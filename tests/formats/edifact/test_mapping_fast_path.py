"""Complete EDIFACT messages map on the compiled fast path, never through the checked fallback.

(An absent optional value, such as an order without CUX, does take the checked path: that is
the engine's design, see ``CompiledMapping.fallbacks``.)

Group items are dicts and their segments lists; a spec's ``find`` + ``path`` reads the found
segment, so it must not make the engine expect the group item itself to be a list.
"""

from __future__ import annotations

import io

import pytest

from benchmarks.bench_edifact import interchange
from connectors.formats.edifact import EdifactFormat
from connectors.record import RawRecord
from mappings import SPECS_DIR, compile_spec, golden_cases, load_spec
from tests.corpus import corpus_file

CASES = [
    ("retail.invoice.matched@1", "pydifact_invoice1"),
    ("retail.inventory.adjusted@2", "written-here-stock-report-decimal-comma"),
    ("retail.return.authorized@1", "written-here-return-two-lines"),
]


@pytest.mark.parametrize(("spec", "case"), CASES)
def test_good_messages_take_the_fast_path(spec: str, case: str) -> None:
    spec_path = SPECS_DIR / "edifact" / f"{spec}.yaml"
    mapping = compile_spec(load_spec(spec_path))
    (golden,) = [c for c in golden_cases(spec_path) if c.name == case]
    if golden.reference:
        corpus_file(golden.reference)  # skips (named) without the corpus
    with golden.input_path.open("rb") as fh:
        records = [i for i in EdifactFormat().messages(fh, case) if isinstance(i, RawRecord)]
    assert records
    events = [event for record in records for event in mapping.map_all(record.fields)]
    assert events
    assert mapping.fallbacks == 0


def test_complete_orders_take_the_fast_path() -> None:
    mapping = compile_spec(load_spec(SPECS_DIR / "edifact" / "retail.order.created@3.yaml"))
    records = list(EdifactFormat().messages(io.BytesIO(interchange(5, 3)), "orders.edi"))
    assert all(isinstance(r, RawRecord) for r in records)
    events = [e for r in records if isinstance(r, RawRecord) for e in mapping.map_all(r.fields)]
    assert [len(e["lines"]) for e in events] == [3] * 5
    assert mapping.fallbacks == 0
