"""Suite-wide hooks: the golden-case counts per source format, printed after the run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hub.golden import GoldenResult
from tests.corpus import require_corpus

GOLDEN_RESULTS = pytest.StashKey[list[GoldenResult]]()
"""Where the golden test leaves its results for the summary."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per source format: golden cases run and passing (what mapping covers)."""
    results = terminalreporter.config.stash.get(GOLDEN_RESULTS, [])
    if not results:
        return
    run = Counter(r.format for r in results if not r.skipped)
    passed = Counter(r.format for r in results if not r.skipped and not r.differences)
    skipped = Counter(r.format for r in results if r.skipped)
    terminalreporter.section("golden cases per source format")
    for fmt in sorted(run | skipped):
        line = f"{fmt:<10} {passed[fmt]:>3} of {run[fmt]:>3} passing"
        if skipped[fmt]:
            line += f", {skipped[fmt]} skipped (corpus absent)"
        terminalreporter.write_line(line)


@pytest.fixture
def shared_corpus() -> Path:
    """The third-party corpus root; the test skips, named, without it (fails on CI)."""
    return require_corpus()
