"""Suite-wide hooks: hypothesis's profile, the golden-case counts per source format, and the
collector's thresholds put back after each test."""

from __future__ import annotations

import dataclasses
import gc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from hub.golden import GoldenResult
from tests.corpus import require_corpus

# The property tests check behaviour, never speed: on a loaded CI machine hypothesis's timing
# checks (an example over its deadline, input generation "too slow") failed tests whose every
# example held. Speed goals live in benchmarks/.
settings.register_profile("crossdock", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("crossdock")


@pytest.fixture(autouse=True)
def _collector_thresholds() -> Iterator[None]:
    """A hub run in this process (``crossdock run`` through the CLI runner) sets the garbage
    collector's thresholds for a started hub (hub.startup_heap); the next test gets CPython's
    again, so what one test measures of memory does not depend on which ran before it."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


GOLDEN_RESULTS = pytest.StashKey[list[GoldenResult]]()
"""Where the golden test leaves its results for the summary."""


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker of ``pytest -n`` (pytest-xdist, as ``make test`` runs the suite) hands the
    golden results it holds to the controller, which prints the summary."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        results = session.config.stash.get(GOLDEN_RESULTS, [])
        output["golden_results"] = [dataclasses.asdict(r) for r in results]


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: absent in a plain pytest run
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller keeps what each worker's golden test found (see pytest_sessionfinish)."""
    del error
    results = node.config.stash.setdefault(GOLDEN_RESULTS, [])
    results += [GoldenResult(**r) for r in node.workeroutput.get("golden_results", [])]


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
