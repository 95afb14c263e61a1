"""Every X12 spec's golden cases map to their recorded events (real corpus documents first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mappings import GoldenCase, golden_cases
from tests.corpus import assert_golden_case

from .golden import SPEC_DIR

_CASES = [
    pytest.param(spec, case, id=f"{spec.stem}/{case.name}")
    for spec in sorted(SPEC_DIR.glob("*.yaml"))
    for case in golden_cases(spec)
]


def test_every_x12_spec_has_golden_cases() -> None:
    specs = sorted(SPEC_DIR.glob("*.yaml"))
    assert specs, "no X12 specs found"
    assert all(golden_cases(spec) for spec in specs)


@pytest.mark.parametrize(("spec", "case"), _CASES)
def test_golden_case_maps_to_recorded_events(spec: Path, case: GoldenCase) -> None:
    assert_golden_case(spec, case)
