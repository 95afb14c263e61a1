"""Tables the commands print into a file, a pipe or a CI log keep their rows whole: rich takes
such a stream for 80 columns, which folds a spec's name or a dead letter's reason over lines
and cuts cells short (``retail.inventor…``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rich.table import Table

from hub.cli.report import Reporter

NAME = "acme-wms: acme-wms.stock@1 " + "x" * 60  # wider than an 80-column table leaves it


def _table(*cells: str) -> Table:
    table = Table("spec", "case", "result")
    table.add_row(*cells)
    return table


def test_a_table_piped_is_wide_whatever_the_console_was_made_with(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    reporter = Reporter(stderr=False)
    reporter.print("made at 80 columns")  # the console of a process's first line
    reporter.print(_table(NAME, "stock.json", "pass"))
    row = next(line for line in capsys.readouterr().out.splitlines() if "acme-wms" in line)
    assert NAME in row
    assert "stock.json" in row
    assert "pass" in row


def test_a_table_asks_for_more_columns_than_the_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    error = "line 7: " + "e" * 200  # translate's errors are up to 160 characters and more
    Reporter(stderr=False).print(_table("count.csv", "csv", error), min_width=240)
    row = next(line for line in capsys.readouterr().out.splitlines() if "count.csv" in line)
    assert error in row


def test_text_lines_are_not_widened(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    Reporter(stderr=False).print("word " * 40)
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 80


def test_mappings_list_piped_names_each_target_whole() -> None:
    from hub.cli.app import app

    result = CliRunner().invoke(app, ["mappings", "list"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "csv.stock-count" in line)
    assert "retail.inventory.adjusted" in row
    assert "…" not in result.stdout
