"""The registry is configured in crossdock.yaml (``registry:``), with the environment on top."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.config import load_settings
from hub.errors import ConfigError
from hub.registry.settings import RegistrySettings


def _config(tmp_path: Path, registry_section: str) -> Path:
    path = tmp_path / "crossdock.yaml"
    path.write_text(f"data_dir: {tmp_path / 'var'}\nregistry:\n{registry_section}", "utf-8")
    return path


def test_closed_reads_in_the_file_refuse_an_anonymous_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSDOCK_REGISTRY_READS_OPEN", raising=False)
    settings = load_settings(_config(tmp_path, "  reads_open: false\n"))
    with TestClient(create_app(settings)) as client:
        answer = client.get("/subjects")
    assert answer.status_code == 401
    assert answer.json()["error_code"] == 40101


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "  reads_open: false\n  seed: false\n"))
    merged = RegistrySettings.from_env(
        {"CROSSDOCK_REGISTRY_READS_OPEN": "true"}, base=settings.registry
    )
    assert merged.reads_open is True
    assert merged.seed is False  # what the environment does not set stays as the file says


def test_an_unknown_registry_key_names_the_file_and_field(tmp_path: Path) -> None:
    path = _config(tmp_path, "  reads_opne: false\n")
    with pytest.raises(ConfigError, match=r"crossdock\.yaml.*registry\.reads_opne"):
        load_settings(path)
