"""Tables the commands print into a file, a pipe or a CI log keep their rows whole: rich takes
such a stream for 80 columns, which folds a spec's name or a dead letter's reason over lines."""

from __future__ import annotations

import pytest
from rich.table import Table

from hub.cli.report import Reporter

NAME = "acme-wms: acme-wms.stock@1 " + "x" * 60  # wider than an 80-column table leaves it


def _table() -> Table:
    table = Table("spec", "case", "result")
    table.add_row(NAME, "stock.json", "pass")
    return table


def test_a_table_piped_gets_its_minimum_width_whatever_the_console_was_made_with(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    reporter = Reporter(stderr=False)
    reporter.print("made at 80 columns")  # the console of a process's first line, as a run makes
    reporter.print(_table(), min_width=200)
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if "acme-wms" in line)
    assert NAME in row
    assert "stock.json" in row
    assert "pass" in row


def test_without_a_minimum_the_same_table_folds_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    reporter = Reporter(stderr=False)
    reporter.print(_table())
    printed = capsys.readouterr().out
    assert NAME not in printed  # what the minimum is for
    assert max(len(line) for line in printed.splitlines()) <= 80
