"""What ``crossdock --help``, ``crossdock dlq list`` and ``crossdock translate`` import as they
start (issues 17, 19).

Start-up time is a benchmark (``benchmarks/bench_cli.py``), not a test; what a test can hold
is that the two commands do not import what they never use, which is what made them slow:
SQLAlchemy and kombu for ``--help`` (the failure reporting, imported before any command ran),
and for ``dlq list`` the reconcile module's file reading (chunk workers, the canonical models,
the bus, metrics: 800 M instructions, more than a third of the command), SQLAlchemy (the listing
runs SQL text on a DB-API connection: 943 M for SQLAlchemy Core's import), Alembic (an
up-to-date schema is known by its revision id) and, without a crossdock.yaml to read, PyYAML
(90 M).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.app import _only_invoked, app

DEMO = Path(__file__).resolve().parents[2] / "demo" / "inbox"

_PROBE = """
import atexit, sys
atexit.register(lambda: print("\\n".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["crossdock", *sys.argv[1:]]
from hub.cli.app import main
main()
"""


def _modules_after(*args: str, cwd: Path | None = None) -> set[str]:
    """The modules loaded when ``crossdock ARGS`` ends, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stderr.split())


def _loaded(modules: set[str], package: str) -> bool:
    return package in modules or any(m.startswith(package + ".") for m in modules)


def test_help_imports_neither_the_database_nor_the_broker_drivers() -> None:
    modules = _modules_after("--help")
    assert "hub.cli.app" in modules  # the probe ran the command
    for package in ("sqlalchemy", "kombu", "amqp", "hub.database", "hub.config"):
        assert not _loaded(modules, package), package


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    inbox = folder / "inbox"
    inbox.mkdir()
    for f in DEMO.iterdir():
        (inbox / f.name).write_bytes(f.read_bytes())
    data = folder / "data"
    data.mkdir()
    crossdock = Path(sys.executable).parent / "crossdock"
    subprocess.run(
        [crossdock, "run", "--once", "--no-routing", "--inbox", inbox, "--data-dir", data],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data


def test_dlq_list_reads_the_database_without_the_hub_s_file_reading(demo_data: Path) -> None:
    # run where no crossdock.yaml is: without a file to read, PyYAML is not needed
    modules = _modules_after("dlq", "list", "--data-dir", str(demo_data), cwd=demo_data)
    # it did read the letters, through a DB-API connection (sqlite3) and SQL text: SQLAlchemy's
    # import alone is 943 M instructions, more than the rest of the command's imports
    assert "hub.ops.listing" in modules
    assert "sqlite3" in modules
    for package in (
        "sqlalchemy",
        "hub.database",
        "hub.ops.views",
        "hub.reconcile",
        "hub.chunks",
        "canonical.events",
        "kombu",
        "hub.bus",
        "sqlalchemy.orm",
        "alembic",
        "yaml",
    ):
        assert not _loaded(modules, package), package


def test_translate_reads_a_csv_file_without_the_database_or_the_broker(tmp_path: Path) -> None:
    count = tmp_path / "count.csv"
    count.write_text(
        "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
        "1,A,,1,1,2026-01-01T00:00:00Z,x\n",
        encoding="utf-8",
    )
    modules = _modules_after("translate", str(count))
    assert "hub.translate" in modules  # the probe translated
    # the inbox's file source (checkpoints, dead letters) is what imported SQLAlchemy, for a
    # document key: importing hub.translate took 2,952 M instructions with it, 1,676 M without
    for package in ("sqlalchemy", "kombu", "amqp", "hub.database", "hub.file_source"):
        assert not _loaded(modules, package), package


def test_a_command_line_builds_only_the_group_it_names() -> None:
    dlq = _only_invoked(app, ["dlq", "list"])
    assert [g.name for g in dlq.registered_groups] == ["dlq"]
    assert dlq.registered_commands == []
    inner = dlq.registered_groups[0].typer_instance
    assert inner is not None
    assert [c.name for c in inner.registered_commands] == ["list"]
    assert inner.registered_groups == []
    run = _only_invoked(app, ["run", "--once"])
    assert [c.callback.__name__ for c in run.registered_commands if c.callback] == ["run"]
    assert run.registered_groups == []
    # no first word, an option, or a word naming nothing: the whole app answers
    for args in ([], ["--help"], ["-h"], ["dlqq"]):
        assert _only_invoked(app, args) is app
    # the app itself is left whole
    assert len(app.registered_groups) > 1
    whole_dlq = app.registered_groups[0].typer_instance
    assert whole_dlq is not None
    assert len(whole_dlq.registered_commands) > 1
    # the group that runs is whole: its help and its answer to a typo are the app's
    runner = CliRunner()
    for args in (
        ["dlq", "--help"],
        ["dlq", "lst"],
        ["dlq", "list", "--help"],
        ["dlq", "redrive", "statu"],
        ["registry", "token", "list", "-h"],
        ["run", "--help"],
    ):
        whole = runner.invoke(app, args)
        alone = runner.invoke(_only_invoked(app, args), args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
