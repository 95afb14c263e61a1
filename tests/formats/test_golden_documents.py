"""Every IDoc, POSLog and Shopify spec's golden cases map to their recorded events.

One test per case (the ids name format, spec and case, so the suite's report counts them per
format); POSLog and Shopify specs are held to real corpus documents, IDoc to fixtures written
here from the published IDoc types, since the corpus has no SAP export.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.golden import golden_output
from mappings import SPECS_DIR, GoldenCase, compare, golden_cases

FORMATS = ("idoc", "poslog", "shopify")
SPECS = sorted(p for fmt in FORMATS for p in (SPECS_DIR / fmt).rglob("*.yaml"))
CASES = [
    pytest.param(spec, case, id=f"{spec.relative_to(SPECS_DIR).with_suffix('')}/{case.name}")
    for spec in SPECS
    for case in golden_cases(spec)
]


def test_every_spec_has_golden_cases_and_real_documents_where_the_corpus_has_them() -> None:
    assert len(SPECS) == 9
    for spec in SPECS:
        cases = golden_cases(spec)
        assert cases, spec
    real = {
        fmt: [c for s in SPECS if s.is_relative_to(SPECS_DIR / fmt) for c in golden_cases(s)]
        for fmt in ("poslog", "shopify")
    }
    for fmt, cases in real.items():
        assert any(not c.name.startswith("written-here-") for c in cases), fmt


@pytest.mark.parametrize(("spec", "case"), CASES)
def test_golden_case_maps_to_recorded_events(spec: Path, case: GoldenCase) -> None:
    assert compare(golden_output(spec, case.input_path), case.expected()) == []
