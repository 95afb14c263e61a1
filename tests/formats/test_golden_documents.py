"""Every IDoc, POSLog and Shopify spec's golden cases map to their recorded events.

One test per case (the ids name format, spec and case, so the suite's report counts them per
format); POSLog and Shopify specs are held to real corpus documents, IDoc to fixtures written
here from the published IDoc types, since the corpus has no SAP export. A corpus case names its
document (``.ref``) and is skipped, named, without the corpus. A ``.golden`` folder with no spec
beside it holds documents that must be refused (message types no spec reads), for every format.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings import SPECS_DIR, GoldenCase, golden_cases, golden_folder_cases, golden_folders
from tests.corpus import assert_golden_case

FORMATS = ("idoc", "poslog", "shopify")
SPECS = sorted(p for fmt in FORMATS for p in (SPECS_DIR / fmt).rglob("*.yaml"))
CASES = [
    pytest.param(spec, case, id=f"{spec.relative_to(SPECS_DIR).with_suffix('')}/{case.name}")
    for spec in SPECS
    for case in golden_cases(spec)
]


def test_every_spec_has_golden_cases_and_real_documents_where_the_corpus_has_them() -> None:
    assert len(SPECS) == 10
    for spec in SPECS:
        cases = golden_cases(spec)
        assert cases, spec
    real = {
        fmt: [c for s in SPECS if s.is_relative_to(SPECS_DIR / fmt) for c in golden_cases(s)]
        for fmt in ("poslog", "shopify")
    }
    for fmt, cases in real.items():
        assert any(not c.name.startswith("written-here-") for c in cases), fmt


REFUSALS = [
    pytest.param(folder, case, id=f"{folder.relative_to(SPECS_DIR)}/{case.name}")
    for folder in golden_folders(SPECS_DIR)
    if not folder.with_name(folder.name.removesuffix(".golden") + ".yaml").is_file()
    for case in golden_folder_cases(folder)
]


@pytest.mark.parametrize(("spec", "case"), CASES)
def test_golden_case_maps_to_recorded_events(spec: Path, case: GoldenCase) -> None:
    assert_golden_case(spec, case)


@pytest.mark.skipif(not REFUSALS, reason="no golden folder of refusals yet")
@pytest.mark.parametrize(("folder", "case"), REFUSALS)
def test_document_no_spec_reads_is_refused_with_the_recorded_reason(
    folder: Path, case: GoldenCase
) -> None:
    assert case.refused, f"{case.name}: a folder without a spec holds only .refused.txt cases"
    assert_golden_case(None, case, folder.relative_to(SPECS_DIR).parts[0])
