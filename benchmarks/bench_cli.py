"""CLI start-up: ``crossdock --help`` and ``crossdock dlq list`` next to ``python -c pass``.

Each command runs as a user runs it (the console script, a fresh process) ``ROUNDS`` times,
alternating with the reference; the median wall time and the median CPU time (user + system,
from the children's rusage) are reported. The goal is 0.3 s wall for both commands. On a loaded
machine every process is slower, the interpreter's own start included: the ratio to ``python -c
pass`` says how much of the time is Crossdock's, and the instructions each command executes
(one callgrind run each, when valgrind is installed) do not move with the load at all.
``dlq list`` reads an embedded database with the demo inbox's dead letters.

The children may write their bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped from their
environment): an installed hub has its ``.pyc`` files, and a checkout run with that variable set
compiles every one of its modules from source on every start (a third of ``--help``).

With valgrind, what ``dlq list`` is made of follows, in instructions: the imports it cannot
start without, each added to the ones before (:data:`PARTS`, one callgrind run each), then the
command itself (building its click command, its options' validation, the settings, the query,
the table); and two floors for context, SQLAlchemy Core's import and a one-command click app.

Run: ``python -m benchmarks.bench_cli``; ``CROSSDOCK_BENCH_CLI_ROUNDS`` (default 15).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run"]

ROUNDS = int(os.environ.get("CROSSDOCK_BENCH_CLI_ROUNDS", "15"))
GOAL_SECONDS = 0.3
DEMO = Path(__file__).resolve().parents[1] / "demo" / "inbox"
CROSSDOCK = str(Path(sys.executable).parent / "crossdock")
#: the children's environment: as a user's shell has it, bytecode written once and reused
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_COLLECTED = re.compile(rb"Collected : (\d+)")

#: what ``dlq list`` imports, each step on top of the ones before: (what, the step's code)
PARTS = [
    (
        "the CLI's modules: click, the root group and the dead-letter commands",
        "import hub.cli.app, hub.cli.dlq",
    ),
    ("the configuration's models (hub.config, pydantic)", "import hub.config"),
    (
        "the listing's modules (hub.ops.listing, its filter, the DB-API reader: no SQLAlchemy)",
        "import hub.ops.listing, hub.ops.filters, hub.sql_reader, hub.schema_revision",
    ),
]
#: a click app of one command with one option, run once: what any click command costs (the
#: same app in Typer 0.29, which the CLI was built on until issue 17, cost 654 M instructions)
_CLICK_APP = (
    "import click\n"
    "@click.command()\n"
    "@click.option('--name', default='x')\n"
    "def main(name: str) -> None:\n"
    "    pass\n"
    "main(['--name', 'y'], standalone_mode=False)\n"
)


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``cmd``, its output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(commands: dict[str, list[str]], rounds: int = ROUNDS) -> dict[str, tuple[float, float]]:
    """Median (wall, cpu) of each command, the commands interleaved round by round."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():  # one warm-up each: the page cache, .pyc files
        _timed(cmd)
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(_timed(cmd))
    return {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in times.items()
    }


def instructions(cmd: list[str]) -> int | None:
    """Instructions one run of ``cmd`` executes (callgrind); None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        # a fixed hash seed: set and dict layouts, and so the count, repeat run to run
        env={**ENV, "PYTHONHASHSEED": "0"},
        timeout=600,
    )
    found = _COLLECTED.search(done.stderr)
    return int(found.group(1)) if found else None


def _parts(dlq_list: list[str]) -> list[tuple[str, int]] | None:
    """(what, instructions) of each of :data:`PARTS`, then of the command itself; None
    without valgrind."""
    counts: list[int] = []
    for i in range(len(PARTS) + 1):
        code = "; ".join(step for _, step in PARTS[:i]) or "pass"
        count = instructions([sys.executable, "-c", code])
        if count is None:
            return None
        counts.append(count)
    whole = instructions(dlq_list)
    if whole is None:
        return None
    counts.append(whole)
    names = ["the interpreter (`python -c pass`)", *(what for what, _ in PARTS)]
    names.append("the command: its click command, options, settings, query and table")
    return [(names[0], counts[0])] + [
        (name, after - before)
        for name, before, after in zip(names[1:], counts[:-1], counts[1:], strict=True)
    ]


def _millions(count: int | None) -> str:
    return "" if count is None else f", {count / 1e6:,.0f} M instructions"


def _demo_data(folder: Path) -> Path:
    inbox = folder / "inbox"
    shutil.copytree(DEMO, inbox)
    data = folder / "data"
    data.mkdir()
    subprocess.run(
        [
            CROSSDOCK,
            "run",
            "--once",
            "--no-routing",
            "--inbox",
            str(inbox),
            "--data-dir",
            str(data),
        ],
        check=True,
        capture_output=True,
        env=ENV,
    )
    return data


def run() -> list[tuple[str, str, str, str]]:
    """The rows of BENCHMARKS.md: (what, measured, reference, verdict)."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        data = _demo_data(Path(tmp))
        commands = {
            "python": [sys.executable, "-c", "pass"],
            # what every command that opens the database through an engine pays (`dlq list`
            # reads through a DB-API connection instead)
            "sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
            "click": [sys.executable, "-c", _CLICK_APP],
            "--help": [CROSSDOCK, "--help"],
            "dlq list": [CROSSDOCK, "dlq", "list", "--data-dir", str(data)],
        }
        medians = measure(commands)
        counts = {name: instructions(cmd) for name, cmd in commands.items()}
        parts = _parts(commands["dlq list"])
    load = max(load, os.getloadavg()[0])
    base_wall, base_cpu = medians["python"]
    reference = f"`python -c pass`: {base_wall:.3f} s wall, {base_cpu:.3f} s CPU" + _millions(
        counts["python"]
    )
    rows = []
    for name in ("--help", "dlq list"):
        wall, cpu = medians[name]
        wall_met = "met" if wall < GOAL_SECONDS else "NOT met"
        cpu_met = "met" if cpu < GOAL_SECONDS else "NOT met"
        rows.append(
            (
                f"CLI start-up: `crossdock {name}`, median of {ROUNDS} (goal < {GOAL_SECONDS} s)",
                f"{wall:.3f} s wall, {cpu:.3f} s CPU" + _millions(counts[name]),
                reference,
                f"{wall / base_wall:.1f}× the interpreter's start — wall {wall_met}, "
                f"CPU {cpu_met} (load {load:.1f})",
            )
        )
    for name, what in (
        (
            "sqlalchemy",
            "`python -c 'import sqlalchemy'`, what an engine costs (not `dlq list`)",
        ),
        ("click", "a click app of one command with one option, run once"),
    ):
        wall, cpu = medians[name]
        rows.append(
            (
                f"CLI start-up floor (context): {what}",
                f"{wall:.3f} s wall, {cpu:.3f} s CPU" + _millions(counts[name]),
                reference,
                f"{wall / base_wall:.1f}× the interpreter's start",
            )
        )
    total = counts["dlq list"]
    for what, count in parts or []:
        share = f"{count / total:.0%} of `dlq list`" if total else ""
        rows.append((f"`crossdock dlq list`, made of: {what}", _millions(count)[2:], "", share))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
