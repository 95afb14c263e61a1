"""``crossdock connector …``: list, schema, check against a live server, and the scaffold."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hub.cli.app import app
from tests.connectors.rest.peer import build_peer
from tests.connectors.rest.server import serve

runner = CliRunner()


def test_list_shows_the_built_in_connectors_with_their_kind() -> None:
    result = runner.invoke(app, ["connector", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("rest", "rest-push", "shopify"):
        assert name in result.output
    assert "webhook" in result.output
    assert "sink" in result.output


def test_schema_prints_the_config_json_schema_with_secrets_marked() -> None:
    result = runner.invoke(app, ["connector", "schema", "shopify"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["properties"]["access_token"]["x-secret"] is True
    assert "shop" in schema["required"]


def test_schema_of_an_unknown_connector_exits_2() -> None:
    result = runner.invoke(app, ["connector", "schema", "nope"])
    assert result.exit_code == 2


@pytest.fixture(scope="module")
def peer_url() -> Iterator[str]:
    peer, _ = build_peer()
    with serve(peer) as url:
        yield url


def _write(path: Path, data: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def test_check_passes_against_a_reachable_server(tmp_path: Path, peer_url: str) -> None:
    cfg = _write(
        tmp_path / "rest.yaml",
        {"base_url": peer_url, "streams": [{"name": "items", "path": "/link/items"}]},
    )
    result = runner.invoke(app, ["connector", "check", "rest", "--config-file", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_check_fails_with_exit_1_when_the_peer_is_unreachable(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "rest.yaml",
        {
            "base_url": "http://127.0.0.1:9/",
            "connect_timeout": 1,
            "streams": [{"name": "items", "path": "/items"}],
        },
    )
    result = runner.invoke(app, ["connector", "check", "rest", "--config-file", str(cfg)])
    assert result.exit_code == 1, result.output


def test_check_reports_every_config_problem_at_once_with_exit_2(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "rest.yaml", {"base_url": "not a url", "colour": "blue"})
    result = runner.invoke(
        app, ["connector", "check", "rest", "--config-file", str(cfg)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 2
    for field in ("base_url", "streams", "colour"):
        assert field in result.output


def test_check_finds_an_instance_in_crossdock_yaml(tmp_path: Path, peer_url: str) -> None:
    config = _write(
        tmp_path / "crossdock.yaml",
        {
            "data_dir": str(tmp_path / "var"),
            "connector_instances": [
                {
                    "name": "partner",
                    "connector": "rest",
                    "config": {"base_url": peer_url, "streams": [{"name": "i", "path": "/"}]},
                }
            ],
        },
    )
    result = runner.invoke(app, ["connector", "check", "partner", "-c", str(config)])
    assert result.exit_code == 0, result.output


def test_a_scaffolded_connector_passes_the_conformance_kit_unchanged(tmp_path: Path) -> None:
    result = runner.invoke(app, ["connector", "new", "demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "crossdock-connector-demo"
    assert (root / "tests" / "test_conformance.py").is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed is not None
    assert int(passed.group(1)) >= 10, done.stdout  # the whole kit ran, not an empty session
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check"], ["format", "--check"]):
        linted = subprocess.run(
            [str(ruff), *args, "."],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr


def test_a_scaffolded_connector_passes_mypy_strict_against_crossdocks_types(
    tmp_path: Path,
) -> None:
    assert (
        runner.invoke(app, ["connector", "new", "acme-wms", "--dir", str(tmp_path)]).exit_code == 0
    )
    root = tmp_path / "crossdock-connector-acme-wms"
    assert (root / "crossdock_acme_wms" / "py.typed").is_file()
    mypy = Path(sys.executable).parent / "mypy"
    # --strict as given on the command line, and the scaffold's own [tool.mypy] (packages)
    checked = subprocess.run(
        [str(mypy), "--strict", "--no-incremental"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    hint = (
        "\n(an install whose editable mode is an import hook hides Crossdock from mypy: "
        "reinstall with `make .venv/.installed`, which installs it in compat mode)"
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr + hint
    assert "Success: no issues found" in checked.stdout
    # Crossdock's own types were read, not replaced by Any: a wrong call is an error
    wrong = root / "crossdock_acme_wms" / "wrong.py"
    wrong.write_text("from connectors.sdk import RetryPolicy\n\nRetryPolicy(max_attempts='many')\n")
    failing = subprocess.run(
        [str(mypy), "--strict", "--no-incremental"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert failing.returncode == 1
    assert 'Argument "max_attempts" to "RetryPolicy" has incompatible type "str"' in failing.stdout


def test_new_refuses_a_bad_name_and_an_existing_folder(tmp_path: Path) -> None:
    assert (
        runner.invoke(app, ["connector", "new", "Bad Name", "--dir", str(tmp_path)]).exit_code == 2
    )
    assert runner.invoke(app, ["connector", "new", "twice", "--dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["connector", "new", "twice", "--dir", str(tmp_path)]).exit_code == 2
