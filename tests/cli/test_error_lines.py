"""An error line prints its message as it is: what an error quotes (a pattern, a partner's
value, a path) can hold brackets, which rich's markup would take for tags and drop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli.app import app
from hub.cli.report import LogFormat, Reporter

QUOTED = "value '[bold]12[/bold]' in field [a-z0-9]"


@pytest.mark.parametrize("fmt", [LogFormat.CONSOLE, LogFormat.JSON])
def test_an_error_line_keeps_its_brackets(
    fmt: LogFormat, capsys: pytest.CaptureFixture[str]
) -> None:
    reporter = Reporter(stderr=True)
    reporter.format = fmt
    reporter.error(QUOTED)
    printed = capsys.readouterr().err
    message = json.loads(printed)["message"] if fmt == LogFormat.JSON else printed.strip()
    assert message == f"error: {QUOTED}"


def test_connector_check_names_the_pattern_a_config_value_must_match(tmp_path: Path) -> None:
    config = tmp_path / "shop.yaml"
    config.write_text("shop: acme\naccess_token: x\nwebhook_secret: y\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["connector", "check", "shopify", "--connector-config", str(config)]
    )
    assert result.exit_code == 2, result.output
    # the connector's own pattern (connectors/shopify/connector.py), written here in full
    assert r"'^[a-z0-9][a-z0-9-]*\.myshopify\.com$'" in result.stderr


def test_tables_quote_a_partners_value_with_its_brackets(tmp_path: Path) -> None:
    """dlq list and translate --summary show the value the file holds, not rich's reading."""
    inbox, data = tmp_path / "inbox", tmp_path / "var"
    inbox.mkdir()
    data.mkdir()
    count = inbox / "b.csv"
    count.write_text(  # written here: a stock count whose counted_qty is '[b]twelve'
        "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
        "0142,SKU-100236,,[b]twelve,14,2026-11-20T06:10:11Z,m.lopez\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    summary = runner.invoke(app, ["translate", "--summary", str(count)])
    assert summary.exit_code == 1, summary.output
    where = ["--inbox", str(inbox), "--data-dir", str(data)]
    ran = runner.invoke(app, ["run", "--once", "--no-routing", *where])
    assert ran.exit_code == 0, ran.output
    listed = runner.invoke(app, ["dlq", "list", "--data-dir", str(data)])
    assert listed.exit_code == 0, listed.output
    for output in (summary.stdout, listed.stdout):
        assert "counted_qty='[b]twelve'" in output, output
