"""CLI start-up: ``crossdock --help`` and ``crossdock dlq list`` next to ``python -c pass``.

Each command runs as a user runs it (the console script, a fresh process) ``ROUNDS`` times,
alternating with the reference; the median wall time and the median CPU time (user + system,
from the children's rusage) are reported. The goal is 0.3 s wall for both commands. On a loaded
machine every process is slower, the interpreter's own start included: the ratio to ``python -c
pass`` says how much of the time is Crossdock's. ``dlq list`` reads an embedded database with the
demo inbox's dead letters.

Run: ``python -m benchmarks.bench_cli``; ``CROSSDOCK_BENCH_CLI_ROUNDS`` (default 15).
"""

from __future__ import annotations

import os
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


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``cmd``, its output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    )
    return data


def run() -> list[tuple[str, str, str, str]]:
    """The rows of BENCHMARKS.md: (what, measured, reference, verdict)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = _demo_data(Path(tmp))
        medians = measure(
            {
                "python": [sys.executable, "-c", "pass"],
                # what dominates every command that opens the database (python -X importtime)
                "sqlalchemy": [sys.executable, "-c", "import sqlalchemy.orm"],
                "--help": [CROSSDOCK, "--help"],
                "dlq list": [CROSSDOCK, "dlq", "list", "--data-dir", str(data)],
            }
        )
    base_wall, base_cpu = medians["python"]
    rows = []
    for name in ("--help", "dlq list"):
        wall, cpu = medians[name]
        met = "met" if wall < GOAL_SECONDS else "NOT met"
        rows.append(
            (
                f"CLI start-up: `crossdock {name}`, median of {ROUNDS} (goal < {GOAL_SECONDS} s)",
                f"{wall:.3f} s wall, {cpu:.3f} s CPU",
                f"`python -c pass`: {base_wall:.3f} s wall, {base_cpu:.3f} s CPU",
                f"{wall / base_wall:.1f}× the interpreter's start — {met}",
            )
        )
    wall, cpu = medians["sqlalchemy"]
    rows.append(
        (
            "CLI start-up floor (context): `python -c 'import sqlalchemy.orm'`, which any "
            "command reading the database pays",
            f"{wall:.3f} s wall, {cpu:.3f} s CPU",
            f"`python -c pass`: {base_wall:.3f} s wall, {base_cpu:.3f} s CPU",
            f"{wall / base_wall:.1f}× the interpreter's start",
        )
    )
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
