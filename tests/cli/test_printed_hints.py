"""The commands a command prints for its operator to type next work when copied, and a file or
folder a command only reads is checked as the option is parsed (exit 2 naming the option)."""

from __future__ import annotations

import shlex
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli.app import app
from hub.database import engine_for
from hub.migrations import HEAD, upgrade

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub data folder holding the three dead letters of the demo's store 0142 count."""
    folder = tmp_path_factory.mktemp("hints")
    inbox = folder / "inbox"
    inbox.mkdir()
    shutil.copy2(ROOT / "demo" / "inbox" / "store-0142-count-2026-11-20.csv", inbox)
    data = folder / "var"
    data.mkdir()
    result = runner.invoke(
        app,
        ["run", "--once", "--no-routing", "--inbox", str(inbox), "--data-dir", str(data)],
    )
    assert result.exit_code == 0, result.output
    return data


def _next_page(output: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith("next page: "))
    return shlex.split(line.removeprefix("next page: "))


def test_dlq_list_prints_the_next_page_as_a_command_that_gives_it(data_dir: Path) -> None:
    page = ["dlq", "list", "--status", "all", "--connector", "stock-count", "--limit", "2"]
    first = runner.invoke(app, [*page, "--data-dir", str(data_dir)], env=WIDE)
    assert first.exit_code == 0, first.output
    typed = _next_page(first.stdout)
    assert Path(typed[0]).name == "crossdock"
    # the filter, the page size and the data folder are kept: only the cursor moved
    for option in (["--status", "all"], ["--connector", "stock-count"], ["--limit", "2"]):
        assert " ".join(option) in " ".join(typed), typed
    assert ["--data-dir", str(data_dir)] == typed[-2:]
    second = runner.invoke(app, typed[1:], env=WIDE)
    assert second.exit_code == 0, second.output
    first_ids, second_ids = _row_ids(first.stdout), _row_ids(second.stdout)
    assert len(first_ids) == 2, first.stdout
    assert len(second_ids) == 1, second.stdout
    assert int(second_ids[0]) < min(int(i) for i in first_ids)
    assert "1 shown; 3 total" in second.stdout


def _row_ids(table: str) -> list[str]:
    cells = [line.split()[1] for line in table.splitlines() if line.startswith("│ ")]
    return [cell for cell in cells if cell.isdigit()]  # a wrapped reason's second line: none


@pytest.mark.parametrize(
    "command",
    [
        ["dlq", "replay", "1", "--payload", "NOFILE"],
        ["dlq", "edit-replay", "1", "--payload", "NOFILE"],
        ["dlq", "dry-run", "1", "--payload", "NOFILE"],
        ["dlq", "replay-through", "1", "--mappings", "NOFILE"],
        ["dlq", "dry-run", "1", "--mappings", "NOFILE"],
    ],
    ids=lambda c: " ".join(c[:2] + c[3:4]),
)
def test_a_missing_payload_or_mappings_folder_is_exit_2_naming_the_option(
    command: list[str], data_dir: Path, tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing")
    args = [missing if arg == "NOFILE" else arg for arg in command]
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], env=WIDE)
    assert result.exit_code == 2, result.output
    assert f"'{command[-2]}'" in result.output
    assert missing in result.output


def test_schemas_check_names_the_export_of_the_folder_it_checked(tmp_path: Path) -> None:
    folder = tmp_path / "my schemas"
    result = runner.invoke(app, ["schemas", "check", "--dir", str(folder)], env=WIDE)
    assert result.exit_code == 1
    hint = result.stderr.split("run `", 1)[1].split("`", 1)[0]
    typed = shlex.split(hint)
    assert typed[1:] == ["schemas", "export", "--dir", str(folder)]
    assert runner.invoke(app, typed[1:]).exit_code == 0
    assert runner.invoke(app, ["schemas", "check", "--dir", str(folder)]).exit_code == 0


def test_connector_new_prints_its_next_step_on_one_line_quoted(tmp_path: Path) -> None:
    target = tmp_path / "connectors with a long folder name that an 80-column console folds"
    result = runner.invoke(app, ["connector", "new", "acme-erp", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("next: "))
    assert line.endswith("&& pytest"), result.stdout
    package = target / "crossdock-connector-acme-erp"
    assert shlex.split(line.removeprefix("next: "))[:2] == ["cd", str(package)]


def test_a_database_behind_the_code_is_named_with_a_one_line_upgrade_command(
    tmp_path: Path,
) -> None:
    data = tmp_path / "a data folder with a name long enough for an 80-column console to fold"
    inbox = tmp_path / "inbox"
    data.mkdir()
    inbox.mkdir()
    engine = engine_for(f"sqlite:///{data / 'crossdock.db'}")
    upgrade(engine, "r0004")
    engine.dispose()
    where = ["--data-dir", str(data)]
    refused = runner.invoke(app, ["run", "--once", "--no-routing", "--inbox", str(inbox), *where])
    assert refused.exit_code == 1, refused.output
    current = runner.invoke(app, ["db", "current", *where])
    assert current.exit_code == 0, current.output
    for output in (refused.stderr, current.stdout):
        line = next(line for line in output.splitlines() if "db upgrade" in line)
        typed = shlex.split(line.split("`")[1])
        assert typed[1:] == ["db", "upgrade", *where], line
    upgraded = runner.invoke(app, typed[1:])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"{HEAD} (up to date)" in runner.invoke(app, ["db", "current", *where]).stdout


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another process listens on."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


@pytest.mark.parametrize("command", [["serve"], ["run", "--once", "--api"]])
def test_an_api_port_in_use_is_one_line_naming_the_option_and_exit_1(
    command: list[str], taken_port: int, data_dir: Path, tmp_path: Path
) -> None:
    args = [*command, "--api-port", str(taken_port), "--data-dir", str(data_dir)]
    if command[0] == "run":
        args += ["--inbox", str(tmp_path)]
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 1, result.output
    assert f"API on 127.0.0.1:{taken_port}: cannot listen: in use" in result.stderr
    assert "give --api-port" in result.stderr


@pytest.mark.parametrize("command", [["serve"], ["run", "--once", "--api"]])
def test_an_api_port_out_of_range_is_exit_2_naming_the_option(
    command: list[str], data_dir: Path
) -> None:
    result = runner.invoke(app, [*command, "--api-port", "99999", "--data-dir", str(data_dir)])
    assert result.exit_code == 2, result.output
    assert "'--api-port'" in result.output


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["run", "--once", "--no-api"], "--poll"),
        (["routing", "run", "--once"], "--tick-every"),
        (["dlq", "replay-through", "1"], "--rate"),
        (["dlq", "redrive", "start"], "--rate"),
    ],
)
def test_a_negative_interval_or_rate_is_exit_2_naming_the_option(
    command: list[str], option: str, data_dir: Path
) -> None:
    result = runner.invoke(app, [*command, option, "-1", "--data-dir", str(data_dir)], env=WIDE)
    assert result.exit_code == 2, result.output
    assert f"'{option}'" in result.output
