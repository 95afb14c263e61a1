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
