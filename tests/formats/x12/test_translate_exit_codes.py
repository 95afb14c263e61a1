"""``crossdock translate`` of X12 exits 0 exactly when every set became its events.

A zero-padded control count (``GE*000001``, ``IEA*00001``) is a number like any other: the
document's events come out and the exit code is 0 (the run used to print the events, then
exit 1 on the group trailer). A trailer that really disagrees with its header still exits 1,
after the events of the sets before it, and names the trailer.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hub.cli.app import app
from mappings import SPECS_DIR
from tests.corpus import corpus_file

PADDED = (
    SPECS_DIR
    / "x12"
    / "retail.order.created@3.golden"
    / "written-here-catalogue-priced-store-codes.in.x12"
)


def _events(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_zero_padded_group_and_interchange_counts_exit_0_with_the_events() -> None:
    result = CliRunner().invoke(app, ["translate", str(PADDED)])
    assert result.exit_code == 0, result.output
    (event,) = _events(result.stdout)
    assert event["type"] == "retail.order.created"
    assert "error" not in result.output


@pytest.mark.usefixtures("shared_corpus")
def test_an_interchange_trailer_that_disagrees_exits_1_after_the_events() -> None:
    path = corpus_file("real/x12/edinet_x12.850.edi")
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 1
    assert len(_events(result.stdout)) == 1
    assert "IEA02 '000000001' does not match ISA13 '000000055'" in result.output
