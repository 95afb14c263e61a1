"""``${NAME}`` in crossdock.yaml reads the environment; an unset one is named with its field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli.app import app
from hub.config import load_settings
from hub.errors import ConfigError

CONFIG = """\
bus_url: amqp://crossdock:${MQ_PASSWORD}@127.0.0.1:5672//
connectors:
  - name: acme
    transport: shopify
    config:
      shop: acme.myshopify.com
      access_token: ${SHOP_TOKEN}
      webhook_secret: "literal $${NOT_A_REFERENCE}"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "crossdock.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_references_are_read_from_the_environment(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQ_PASSWORD", "s3cret")
    monkeypatch.setenv("SHOP_TOKEN", "shpat_123")
    settings = load_settings(config)
    assert settings.bus_url == "amqp://crossdock:s3cret@127.0.0.1:5672//"
    instance = settings.connectors[0].config
    assert instance["access_token"] == "shpat_123"
    assert instance["webhook_secret"] == "literal ${NOT_A_REFERENCE}"


def test_unset_references_are_named_with_their_fields_all_at_once(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MQ_PASSWORD", raising=False)
    monkeypatch.delenv("SHOP_TOKEN", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert "bus_url: ${MQ_PASSWORD} is not set in the environment" in message
    assert (
        "connectors[0].config.access_token: ${SHOP_TOKEN} is not set in the environment" in message
    )


def test_the_command_line_exits_2_naming_the_unset_variable(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQ_PASSWORD", "s3cret")
    monkeypatch.delenv("SHOP_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["connector", "check", "acme", "--config", str(config)])
    assert result.exit_code == 2
    assert "${SHOP_TOKEN} is not set" in result.stderr
    assert "s3cret" not in result.output  # the values that are set are never printed
