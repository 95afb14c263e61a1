"""Folders a command uses: given ones must exist, nothing is made outside the working folder,
and a command that reads never makes an empty database (hub.cli.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli.app import app

runner = CliRunner()


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, without the environment's CROSSDOCK_ settings."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for name in ("CROSSDOCK_INBOX", "CROSSDOCK_DATA_DIR", "CROSSDOCK_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_a_missing_inbox_given_is_exit_2_naming_it_and_creates_nothing(fresh: Path) -> None:
    result = runner.invoke(app, ["run", "--once", "--no-routing", "--inbox", "inbx"])
    assert result.exit_code == 2
    assert "--inbox inbx: no such folder" in result.stderr
    assert list(fresh.iterdir()) == []


def test_a_missing_data_dir_given_is_exit_2_naming_it(fresh: Path) -> None:
    for args in (["dlq", "list"], ["run", "--once"], ["token", "create"], ["routing", "tasks"]):
        result = runner.invoke(app, [*args, "--data-dir", "var/demmo"])
        assert result.exit_code == 2, (args, result.output)
        assert "--data-dir var/demmo: no such folder" in result.stderr
    assert list(fresh.iterdir()) == []


def test_an_inbox_from_the_environment_that_is_missing_creates_nothing(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nonexistent"
    monkeypatch.setenv("CROSSDOCK_INBOX", str(missing))
    result = runner.invoke(app, ["run", "--once", "--no-routing"])
    assert result.exit_code == 2
    assert f"the inbox {missing} (CROSSDOCK_INBOX): no such folder" in result.stderr
    assert not missing.exists()
    assert list(fresh.iterdir()) == []


def test_reading_dead_letters_where_nothing_ran_is_exit_2_and_makes_no_database(
    fresh: Path,
) -> None:
    for args in (["dlq", "list"], ["dlq", "show", "1"], ["dlq", "counts"], ["routing", "tasks"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "no hub database at var/crossdock.db" in result.stderr
        assert "--data-dir" in result.stderr  # what to give instead
    assert list(fresh.iterdir()) == []


def test_a_run_with_the_defaults_keeps_everything_in_the_working_folder(fresh: Path) -> None:
    result = runner.invoke(app, ["run", "--once", "--no-routing"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in fresh.iterdir()} == {"inbox", "var"}
