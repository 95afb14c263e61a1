"""Fixtures for the SQLite bus tests: a fresh database file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bus.sqlite_transport import register


@pytest.fixture(autouse=True)
def _sqlite_alias() -> None:
    register()


@pytest.fixture
def bus_url(tmp_path: Path) -> str:
    """URL of an absolute-path bus file in the test's temporary directory."""
    return f"sqlite://{tmp_path / 'bus.db'}"
