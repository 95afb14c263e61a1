"""What ``crossdock --help``, ``crossdock dlq list`` and ``crossdock translate`` import as they
start (issues 17, 19).

Start-up time is a benchmark (``benchmarks/bench_cli.py``), not a test; what a test can hold
is that the two commands do not import what they never use, which is what made them slow:
SQLAlchemy and kombu for ``--help`` (the failure reporting, imported before any command ran),
and for ``dlq list`` the reconcile module's file reading (chunk workers, the canonical models,
the bus, metrics: 800 M instructions, more than a third of the command), SQLAlchemy (the listing
runs SQL text on a DB-API connection: 943 M for SQLAlchemy Core's import), Alembic (an
up-to-date schema is known by its revision id) and, without a crossdock.yaml to read, PyYAML
(90 M). Typer, which the command line was built on, validated every option through pydantic
and imported rich before any command ran: on click (issue 17) ``--help`` imports neither, and a
command loads rich only as it prints.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hub.cli.app import app

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
    for package in ("sqlalchemy", "kombu", "amqp", "hub.database", "hub.config", "typer", "rich"):
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
        "typer",
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


def test_a_command_line_imports_only_the_command_it_names(demo_data: Path) -> None:
    """The root group imports a command's module when the command line names it
    (hub.cli.commands.Group): `dlq list` loads the dead-letter commands, none of the others."""
    modules = _modules_after("dlq", "list", "--data-dir", str(demo_data), cwd=demo_data)
    assert "hub.cli.dlq" in modules
    for other in ("run", "translate", "serve", "routing", "connector", "db", "tokens", "reconcile"):
        assert f"hub.cli.{other}" not in modules, other


def test_help_and_parsing_import_neither_typer_nor_rich(tmp_path: Path) -> None:
    """Typer validated every option through pydantic and imported rich as it started; click
    parses, and rich is loaded by a command as it prints a table, not by help or a usage
    error."""
    for args in (["--help"], ["dlq", "list", "-h"], ["dlq", "list", "--status", "bogus"]):
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, *args],
            cwd=tmp_path,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode in (0, 2), done.stderr[-2000:]
        modules = set(done.stderr.split())
        assert "hub.cli.app" in modules
        for package in ("typer", "rich", "pydantic"):
            assert not _loaded(modules, package), (args, package)


def test_every_command_module_is_where_the_root_group_says() -> None:
    """Each lazily loaded command is found, and is the command of that name."""
    ctx = click.Context(app)
    names = app.list_commands(ctx)
    assert names[:4] == ["reconcile", "run", "translate", "serve"]
    for name in names:
        command = app.get_command(ctx, name)
        assert command is not None, name
        assert command.name == name
    # a word naming nothing suggests what was meant, among every command (loaded or not)
    result = CliRunner().invoke(app, ["dlqq"])
    assert result.exit_code == 2
    assert "Did you mean 'dlq'?" in result.output
