"""The conformance kit on a transport-free source; and the kit failing a broken one."""

from __future__ import annotations

import pytest

from connectors.sdk.testing import Scenario, SourceConformance
from tests.connectors.sdk.memory_source import MemoryConfig, MemorySource

pytest_plugins = ["pytester"]


class TestMemoryConformance(SourceConformance):
    connector = MemorySource
    malformed_location = "memory://counts"

    def make_source(self, scenario: Scenario) -> MemorySource:
        return MemorySource(MemoryConfig(token="t0ken-value", scenario=scenario.value))


BROKEN = '''
from collections.abc import Iterator
from connectors.sdk import Checkpoint, State
from connectors.sdk.testing import Scenario, SourceConformance
from tests.connectors.sdk.memory_source import MemoryConfig, MemorySource


class CheckpointsTooEarly(MemorySource):
    """Says a page is done before yielding it: a resume skips that page."""

    def read(self, state: State) -> Iterator:
        held = []
        for item in super().read(state):
            if isinstance(item, Checkpoint):
                yield item
                yield from held
                held = []
            else:
                held.append(item)


class TestBroken(SourceConformance):
    connector = CheckpointsTooEarly
    malformed_location = "memory://counts"

    def make_source(self, scenario: Scenario) -> CheckpointsTooEarly:
        return CheckpointsTooEarly(MemoryConfig(token="x", scenario=scenario.value))
'''


def test_the_kit_fails_a_source_whose_checkpoints_skip_records(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_broken=BROKEN)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-W", "ignore")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1
    result.stdout.fnmatch_lines(["*test_resume_from_every_checkpoint_loses_and_repeats_nothing*"])
