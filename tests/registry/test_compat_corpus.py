"""The checker against Karapace's own JSON Schema compatibility cases (321 reader/writer pairs).

The corpus lives beside the repository in ``../shared/corpus/jsonschema-compat/`` (see its
``SOURCES.md``). Every case must agree, except those listed in ``DELIBERATE_DIFFERENCES``;
a listed case must really differ, so the list can neither grow nor go stale silently.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.registry.compat import check_pair

CORPUS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "corpus"
    / "jsonschema-compat"
    / "karapace_jsonschema_compat.json"
)

DELIBERATE_DIFFERENCES: dict[str, str] = {
    "101-test_boolean_schemas_are_backward_compatible": (
        "reader `false` vs writer `true`: Karapace calls it compatible, but a `false` reader "
        "rejects every document the `true` writer allows; registering `false` as the new "
        "version would break every consumer, so Crossdock reports reader_rejects_every_value"
    ),
}


def _load_cases() -> list[dict[str, Any]]:
    if not CORPUS.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    return cases


CASES = _load_cases()
CASE_IDS = [f"{index:03d}-{case['test']}" for index, case in enumerate(CASES)]
needs_corpus = pytest.mark.skipif(not CASES, reason=f"Karapace corpus not found at {CORPUS}")


@needs_corpus
def test_corpus_holds_the_321_karapace_pairs_181_compatible() -> None:
    assert len(CASES) == 321
    assert sum(case["compatible"] for case in CASES) == 181


@needs_corpus
def test_every_deliberate_difference_names_a_corpus_case() -> None:
    assert set(DELIBERATE_DIFFERENCES) <= set(CASE_IDS)


@needs_corpus
@pytest.mark.parametrize(("case_id", "case"), list(zip(CASE_IDS, CASES, strict=True)), ids=CASE_IDS)
def test_checker_agrees_with_karapace_case(case_id: str, case: dict[str, Any]) -> None:
    found = check_pair(case["reader"], case["writer"])
    crossdock_says_compatible = not found
    if case_id in DELIBERATE_DIFFERENCES:
        assert crossdock_says_compatible != case["compatible"], f"{case_id} no longer differs"
    else:
        assert crossdock_says_compatible == case["compatible"], (
            f"{case['test']}: {case['why']}; found {[(i.path, i.rule) for i in found]}"
        )
    for incompatibility in found:
        assert incompatibility.path.startswith("#")
        assert incompatibility.rule
        assert incompatibility.message
        assert incompatibility.hint
