"""The third-party corpus in tests: where it is, and skipping (or failing) without it.

The corpus lives beside the project (``../shared/corpus``, or ``$CROSSDOCK_CORPUS``; see
:mod:`mappings._corpus`). A test that needs it skips with the reason on a clone without it,
and fails instead under ``CROSSDOCK_REQUIRE_SERVICES=1`` (CI), like a missing server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.golden import REQUIRE_ENV, run_golden_case
from mappings import CORPUS_ENV, GoldenCase, corpus_document, corpus_root

__all__ = ["assert_golden_case", "corpus_file", "require_corpus"]


def _missing(message: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(message)


def require_corpus() -> Path:
    """The corpus root; skips (or fails under ``CROSSDOCK_REQUIRE_SERVICES=1``) without it."""
    root = corpus_root()
    if not root.is_dir():
        _missing(
            f"the shared corpus is not at {root} (put it beside the project or set {CORPUS_ENV})"
        )
    return root


def corpus_file(relative: str) -> Path:
    """One corpus document by its path relative to the root (``x12/nodex12_850.edi``)."""
    path = corpus_document(relative)
    if not path.is_file():
        require_corpus()
        _missing(f"corpus document {relative} not found under {corpus_root()}")
    return path


def assert_golden_case(spec: Path | None, case: GoldenCase, fmt: str = "") -> None:
    """Run one golden case; skip it (named) when its corpus document is absent."""
    result = run_golden_case(spec, case, fmt)
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.differences == []
