"""Good EDIFACT messages map on the compiled fast path, never through the checked fallback.

Group items are dicts and their segments lists; a spec's ``find`` + ``path`` reads the found
segment, so it must not make the engine expect the group item itself to be a list.
"""

from __future__ import annotations

import pytest

from connectors.formats.edifact import EdifactFormat
from connectors.record import RawRecord
from mappings import SPECS_DIR, compile_spec, golden_cases, load_spec

CASES = [
    ("retail.order.created@2", "written-three-orders-one-bad"),
    ("retail.order.created@2", "pydifact_order2"),
    ("retail.invoice.matched@1", "pydifact_invoice1"),
    ("retail.inventory.adjusted@2", "written-stock-report-decimal-comma"),
    ("retail.return.authorized@1", "written-return-two-lines"),
]


@pytest.mark.parametrize(("spec", "case"), CASES)
def test_good_messages_take_the_fast_path(spec: str, case: str) -> None:
    spec_path = SPECS_DIR / "edifact" / f"{spec}.yaml"
    mapping = compile_spec(load_spec(spec_path))
    (golden,) = [c for c in golden_cases(spec_path) if c.name == case]
    with golden.input_path.open("rb") as fh:
        records = [i for i in EdifactFormat().messages(fh, case) if isinstance(i, RawRecord)]
    assert records
    events = [event for record in records for event in mapping.map_all(record.fields)]
    assert events
    assert mapping.fallbacks == 0
