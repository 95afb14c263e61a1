"""Infrastructure and configuration failures are one line naming what and where (issue 16).

Exit 2 for configuration, 1 at run time; never a traceback, never a password. A second hub on
an embedded data folder, or on an API port in use, is refused at start in one line.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub.data_folder_lock import DataFolderLock
from hub.errors import DataFolderBusy


def _run(tmp_path: Path, *args: str, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    data = data or tmp_path / "data"
    data.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", "run", "--once", "--inbox", str(inbox),
         "--data-dir", str(data), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


def _error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert "╭" not in result.stderr, result.stderr  # no rich traceback either
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert len(lines) <= 2, result.stderr  # the run's banner, then the error
    return errors[0]


@pytest.mark.parametrize(
    ("bus_url", "code", "said"),
    [
        ("amqp://guest:s3cret@nohost.invalid:1//", 1, "broker amqp://guest:***@nohost.invalid:1//"),
        ("bogus://x", 2, "unknown transport 'bogus'"),
    ],
)
def test_a_bad_or_unreachable_bus_url_is_one_line(
    tmp_path: Path, bus_url: str, code: int, said: str
) -> None:
    result = _run(tmp_path, "--bus-url", bus_url)
    assert result.returncode == code, result.stderr
    line = _error_line(result)
    assert said in line
    assert "s3cret" not in result.stderr


def test_a_database_that_is_down_at_start_is_one_line_without_its_password(
    tmp_path: Path,
) -> None:
    result = _run(
        tmp_path, "--database-url", "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test"
    )
    assert result.returncode == 1, result.stderr
    line = _error_line(result)
    assert "database postgresql+psycopg://postgres:***@127.0.0.1:1/test" in line
    assert "s3cret" not in result.stderr


def test_a_data_folder_that_cannot_be_made_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "inbox").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "run", "--once", "--inbox", str(tmp_path / "inbox")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**_env(), "CROSSDOCK_DATA_DIR": str(tmp_path / "a-file" / "data")},
    )
    assert result.returncode == 2, result.stderr
    assert "data folder" in _error_line(result)


def test_a_mistyped_data_dir_is_a_configuration_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "run", "--once", "--data-dir", str(tmp_path / "typo")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "no such folder" in _error_line(result)


def test_a_second_hub_on_an_embedded_data_folder_is_refused_naming_the_first(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with DataFolderLock(data):
        result = _run(tmp_path, "--no-routing", data=data)
        with pytest.raises(DataFolderBusy, match="in use by another hub"):
            DataFolderLock(data).acquire()
    assert result.returncode == 1, result.stderr
    line = _error_line(result)
    assert "in use by another hub" in line
    assert "pid " in line
    # the lock is the kernel's: released, the folder is free again (a killed hub frees it too)
    with DataFolderLock(data):
        pass


def test_a_second_hub_on_a_port_in_use_exits_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(tmp_path, "--api", "--api-port", str(port), "--no-routing")
    assert result.returncode == 1, result.stderr
    assert f"127.0.0.1:{port}" in _error_line(result)


def _env() -> dict[str, str]:
    import os  # only this test replaces the environment

    return dict(os.environ)
