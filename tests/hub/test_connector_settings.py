"""One connector model in crossdock.yaml (transport, format, mapping); the former key still read."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hub import config as hub_config
from hub.config import load_settings
from hub.errors import ConfigError

NEW = """\
connectors:
  - name: stock-count
    pattern: "*.csv"
    mapping: csv.stock-count
  - name: partner-drop
    transport: sftp
    config: {host: sftp.partner.example, username: crossdock, remote_dir: /outbound}
    poll_every: 120
"""

FORMER = """\
connector_instances:
  - name: partner-drop
    connector: sftp
    config: {host: sftp.partner.example, username: crossdock, remote_dir: /outbound}
    poll_every: 120
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crossdock.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_list_holds_every_transport(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, NEW))
    assert [c.name for c in settings.file_connectors] == ["stock-count"]
    assert [(c.name, c.transport) for c in settings.sdk_connectors] == [("partner-drop", "sftp")]
    assert settings.sdk_connectors[0].poll_every == 120
    assert settings.connector("stock-count").transport == "file"
    with pytest.raises(ConfigError, match="no file connector named 'partner-drop'"):
        settings.connector("partner-drop")


def test_the_former_key_is_read_with_one_warning_naming_its_replacement(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_config, "_warned", set())
    path = _write(tmp_path, FORMER)
    with caplog.at_level(logging.WARNING, logger="hub.config"):
        first = load_settings(path)
        second = load_settings(path)
    assert first == second
    # the file connectors a file without connectors: always had are kept beside the moved ones
    assert [c.name for c in first.file_connectors] == ["stock-count", "documents"]
    moved = first.sdk_connectors[0]
    assert (moved.name, moved.transport, moved.poll_every) == ("partner-drop", "sftp", 120)
    assert moved.config["remote_dir"] == "/outbound"
    warnings = [r.getMessage() for r in caplog.records if r.name == "hub.config"]
    assert len(warnings) == 1
    assert "\n" not in warnings[0]
    assert "connector_instances" in warnings[0]
    assert "transport:" in warnings[0]


def test_the_former_key_joins_the_file_connectors_listed(tmp_path: Path) -> None:
    text = 'connectors:\n  - {name: counts, pattern: "*.txt"}\n' + FORMER
    settings = load_settings(_write(tmp_path, text))
    assert [(c.name, c.transport) for c in settings.connectors] == [
        ("counts", "file"),
        ("partner-drop", "sftp"),
    ]


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (
            "{name: drop, transport: sftp, mapping: csv.stock-count}",
            "mapping belong to transport file",
        ),
        (
            "{name: counts, pattern: '*.csv', poll_every: 5}",
            "poll_every belong to an SDK transport",
        ),
        ("{name: Drop, transport: sftp}", "lower case"),
        ("{name: twice}\n  - {name: twice, pattern: '*.txt'}", "'twice' is used twice"),
    ],
)
def test_a_field_of_another_transport_is_refused_by_name(
    tmp_path: Path, entry: str, why: str
) -> None:
    with pytest.raises(ConfigError, match=why):
        load_settings(_write(tmp_path, f"connectors:\n  - {entry}\n"))
