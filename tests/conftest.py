"""Suite-wide hooks: the golden-case counts per source format, printed after the run."""

from __future__ import annotations

from collections import Counter

import pytest

from hub.golden import GoldenResult

GOLDEN_RESULTS = pytest.StashKey[list[GoldenResult]]()
"""Where the golden test leaves its results for the summary."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per source format: golden cases run and passing (what mapping covers)."""
    results = terminalreporter.config.stash.get(GOLDEN_RESULTS, [])
    if not results:
        return
    run = Counter(r.format for r in results)
    passed = Counter(r.format for r in results if not r.differences)
    terminalreporter.section("golden cases per source format")
    for fmt in sorted(run):
        terminalreporter.write_line(f"{fmt:<10} {passed[fmt]:>3} of {run[fmt]:>3} passing")
