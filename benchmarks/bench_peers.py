"""Crossdock beside its peers on one stock-count CSV: whole processes, interleaved rounds.

``make bench-peers`` runs this. It installs Airbyte's File source into its own virtual
environment under ``var/peers/airbyte`` (Airbyte's published ``airbyte-source-file`` 0.6.0
declares ``smart-open[all]==0.6.0``, a version that does not exist; the upstream pin is 6.0.0,
so the declared dependencies are installed with that one pin changed, then the connector itself
with ``--no-deps``), generates the file (:func:`benchmarks.bench_bulk.write_file`), and runs
each command of :data:`COMMANDS` as its own process, every command once per round, rounds
interleaved, so the machine's load falls on all of them alike. Each figure is the median over
the rounds of rows/s (wall clock of the whole process: start-up included) and of peak RSS:
the process tree's (the process and its descendants, the hub's translating workers included,
summed, sampled every 50 ms) and the largest single process's (``wait4``'s ``ru_maxrss``),
and beside them, labelled as such, the tree's peak PSS (pages shared by the processes counted
once among them, not once in each);
each ratio is against Airbyte's median of the same run. The project's own modules are
byte-compiled first, as a wheel install does (a session with ``PYTHONDONTWRITEBYTECODE`` would
otherwise compile them in every process it starts). The table replaces the block between the
``bench-peers`` markers of BENCHMARKS.md.

Run: ``python -m benchmarks.bench_peers [--rows N] [--rounds R] [--only NAME…]``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import psutil

from benchmarks.bench_bulk import _FlatRow, write_file
from benchmarks.markdown_block import write_block

__all__ = ["COMMANDS", "install_airbyte", "main", "reference"]

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "var" / "peers"
AIRBYTE = PEERS / "airbyte"
AIRBYTE_PACKAGE = "airbyte-source-file==0.6.0"
#: the declared pin that does not exist, and the upstream one installed instead
SMART_OPEN_DECLARED = "smart-open[all] (==0.6.0)"
SMART_OPEN_PIN = "smart-open[all]==6.0.0"
AMQP = os.environ.get("CROSSDOCK_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BIN = Path(sys.executable).parent
MARK_START = "<!-- bench-peers -->"
MARK_END = "<!-- /bench-peers -->"


def install_airbyte(python: str = "python3.11") -> Path:
    """Airbyte's File source in its own venv (idempotent); the path of its ``source-file``."""
    marker = AIRBYTE / ".installed"
    exe = AIRBYTE / "bin" / "source-file"
    if marker.exists():
        return exe
    # the connector declares Python >=3.10,<3.12
    subprocess.run([python, "-m", "venv", str(AIRBYTE)], check=True)
    pip = [str(AIRBYTE / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    wheels = PEERS / "wheels"
    subprocess.run(
        [*pip[:-2], "download", "--quiet", "--no-deps", "-d", str(wheels), AIRBYTE_PACKAGE],
        check=True,
    )
    wheel = next(wheels.glob("airbyte_source_file-0.6.0-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        declared = [
            line.split(":", 1)[1].strip()
            for line in zf.read(meta).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    requirements = [SMART_OPEN_PIN if r == SMART_OPEN_DECLARED else r for r in declared]
    if SMART_OPEN_PIN not in requirements:
        raise RuntimeError(f"{wheel.name} no longer declares {SMART_OPEN_DECLARED}: {declared}")
    print(
        f"bench-peers: installing {AIRBYTE_PACKAGE}'s dependencies with {SMART_OPEN_PIN} "
        f"(it declares {SMART_OPEN_DECLARED}, which does not exist), then the connector "
        "with --no-deps",
        flush=True,
    )
    # the index's constraints are for the hub's venv, not for this one
    env = {**os.environ, "PIP_CONSTRAINT": ""}
    subprocess.run(
        [*pip, *[re.sub(r" \((.*)\)", r"\1", r) for r in requirements]], check=True, env=env
    )
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, env=env)
    marker.touch()
    return exe


def reference(path: Path) -> int:
    """csv.DictReader + a typed pydantic model per row → orjson → /dev/null; rows read."""
    rows = 0
    with path.open(encoding="utf-8", newline="") as fh, open(os.devnull, "wb") as out:
        for row in csv.DictReader(fh):
            rows += 1
            with contextlib.suppress(ValueError):  # the file's bad rows, as the hub refuses them
                out.write(orjson.dumps(_FlatRow.model_validate(row).model_dump(mode="json")))
    return rows


@dataclass(frozen=True)
class Command:
    """One row of the table: how to run it once (argv, environment) in a fresh folder."""

    name: str
    build: Callable[[Path, Path], tuple[list[str], dict[str, str]]]
    """(work folder, CSV file) → (argv, extra environment)."""


def _exchange() -> str:
    return f"bench-peers-{os.getpid()}"


def _clean_broker(exchange: str) -> None:
    """Delete what the RabbitMQ runs declared on the shared broker (their own exchange and
    its queues), so nothing is left behind between rounds or after the run. Run in a child
    process (``--clean-broker``): importing the hub here would grow this process, and a run's
    peak RSS (wait4) counts the forked image until it execs."""
    from kombu import Exchange, Queue  # only in that child: the hub's bus library

    from hub.bus.connection import open_connection
    from hub.bus.topology import unrouted_queue
    from hub.routing.worker import routing_queue

    conn = open_connection(AMQP)
    try:
        channel = conn.channel()
        for name in (routing_queue(exchange), unrouted_queue(exchange)):
            Queue(name, channel=channel).delete()
        Exchange(exchange, channel=channel).delete()
    finally:
        conn.release()


def _hub(
    routing: bool, bus: str | None
) -> Callable[[Path, Path], tuple[list[str], dict[str, str]]]:
    def build(work: Path, csv_file: Path) -> tuple[list[str], dict[str, str]]:
        inbox = work / "inbox"
        inbox.mkdir()
        os.link(csv_file, inbox / csv_file.name)
        lines = [f"data_dir: {work / 'data'}"]
        if bus:
            # an exchange of its own: nothing of another hub's is routed, nothing left behind
            lines += [f"bus_url: {bus}", f"exchange: {_exchange()}"]
        (work / "crossdock.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        argv = [str(BIN / "crossdock"), "run", "--once", "--json", "--inbox", str(inbox)]
        argv += ["--config", str(work / "crossdock.yaml")]
        if not routing:
            argv.append("--no-routing")
        return argv, {}

    return build


def _airbyte(work: Path, csv_file: Path) -> tuple[list[str], dict[str, str]]:
    config = work / "config.json"
    config.write_text(
        json.dumps(
            {
                "dataset_name": "count",
                "format": "csv",
                "url": str(csv_file),
                "provider": {"storage": "local"},
            }
        ),
        encoding="utf-8",
    )
    exe = str(AIRBYTE / "bin" / "source-file")
    discovered = subprocess.run(
        [exe, "discover", "--config", str(config)], check=True, capture_output=True, text=True
    ).stdout
    catalog = next(
        json.loads(line)["catalog"] for line in discovered.splitlines() if '"CATALOG"' in line
    )
    configured = {
        "streams": [
            {"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
            for s in catalog["streams"]
        ]
    }
    (work / "catalog.json").write_text(json.dumps(configured), encoding="utf-8")
    return [exe, "read", "--config", str(config), "--catalog", str(work / "catalog.json")], {}


def _reference(work: Path, csv_file: Path) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "benchmarks.bench_peers", "--reference", str(csv_file)], {}


def _translate(work: Path, csv_file: Path) -> tuple[list[str], dict[str, str]]:
    config = work / "crossdock.yaml"
    config.write_text(f"data_dir: {work / 'data'}\n", encoding="utf-8")
    return [str(BIN / "crossdock"), "translate", "--config", str(config), str(csv_file)], {}


COMMANDS = [
    Command(
        "csv.DictReader + typed pydantic model per row → orjson → /dev/null (reference)",
        _reference,
    ),
    Command(
        "Airbyte File source 0.6.0, `source-file read` → /dev/null (no validation, no broker)",
        _airbyte,
    ),
    Command("`crossdock run --once --no-routing`, RabbitMQ, confirmed", _hub(False, AMQP)),
    Command("`crossdock run --once --no-routing`, embedded bus", _hub(False, None)),
    Command("`crossdock run --once` (routing on, the default), embedded bus", _hub(True, None)),
    Command("`crossdock run --once` (routing on, the default), RabbitMQ", _hub(True, AMQP)),
    Command("`crossdock translate` (JSON lines to stdout)", _translate),
]
AIRBYTE_ROW = 1


class _TreePeak:
    """The largest summed RSS of a process and its descendants while it runs, sampled in a
    thread (``wait4`` gives only the largest single process, not the hub with its workers).

    Beside it, the largest summed PSS (``/proc/PID/smaps_rollup``): RSS counts each shared page
    (the interpreter, its libraries, the modules' files) once in every process that maps it,
    so the sum over the hub and its spawned workers counts them several times; PSS shares
    each among the processes mapping it. Read every ``pss_every`` samples: the kernel walks
    the process's page tables for it, work a 50 ms sampler would add to the measured run.
    """

    def __init__(self, pid: int, every: float = 0.05, pss_every: int = 5) -> None:
        self.pid, self.every, self.peak, self.pss_peak = pid, every, 0, 0
        self.pss_every = pss_every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        samples = 0
        while not self._done.is_set():
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = pss = 0
            with_pss = samples % self.pss_every == 0
            for proc in tree:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                    total += proc.memory_info().rss
                    if with_pss:
                        pss += _pss(proc.pid)
            self.peak = max(self.peak, total)
            self.pss_peak = max(self.pss_peak, pss)
            samples += 1
            self._done.wait(self.every)

    def stop(self) -> tuple[float, float]:
        """Stop sampling; the peaks of RSS and of PSS in MB."""
        self._done.set()
        self._thread.join()
        return self.peak / 2**20, self.pss_peak / 2**20


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _once(command: Command, csv_file: Path, scratch: Path) -> tuple[float, float, float, float]:
    """(wall seconds, peak RSS MB of the process tree summed, of its largest process, peak PSS
    MB of the process tree summed) of one run."""
    work = scratch / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    argv, env = command.build(work, csv_file)
    with open(work / "stdout", "wb") as out, open(work / "stderr", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env={**os.environ, **env}, cwd=ROOT)
        tree = _TreePeak(proc.pid)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        tree_mb, tree_pss_mb = tree.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # crossdock exits 1 when a row became a dead letter or an error (a bad row every 10,007):
    # that is the file, not a failure of the run
    tolerated = (0, 1) if "crossdock" in command.name else (0,)
    if proc.returncode not in tolerated:
        tail = (work / "stderr").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{command.name}: exit {proc.returncode}\n{tail}")
    if "RabbitMQ" in command.name:
        clean = [sys.executable, "-m", "benchmarks.bench_peers", "--clean-broker", _exchange()]
        subprocess.run(clean, check=True, cwd=ROOT)
    # ru_maxrss of wait4 is the largest of the process and its waited-for descendants
    largest = usage.ru_maxrss / 1024
    return seconds, max(tree_mb, largest), largest, tree_pss_mb


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def measure(rows: int, rounds: int, only: list[int]) -> list[dict[str, float]]:
    """Every command of ``only`` once per round, rounds interleaved; per command the medians."""
    csv_file = PEERS / f"count-{rows}.csv"
    if not csv_file.exists():
        write_file(csv_file, rows)
    scratch = PEERS / "runs"
    runs: dict[int, list[tuple[float, float, float, float]]] = {i: [] for i in only}
    for r in range(rounds):
        for i in only:
            seconds, tree, largest, pss = _once(COMMANDS[i], csv_file, scratch)
            runs[i].append((seconds, tree, largest, pss))
            print(
                f"round {r + 1}: {COMMANDS[i].name}: {rows / seconds:,.0f} rows/s "
                f"({seconds:.1f} s, tree {tree:.0f} MB, largest process {largest:.0f} MB, "
                f"tree PSS {pss:.0f} MB; load {_load()})",
                flush=True,
            )
    return [
        {
            "index": i,
            "rows_per_s": statistics.median(rows / run[0] for run in runs[i]),
            "seconds": statistics.median(run[0] for run in runs[i]),
            "peak_rss_mb": statistics.median(run[1] for run in runs[i]),
            "largest_rss_mb": statistics.median(run[2] for run in runs[i]),
            "peak_pss_mb": statistics.median(run[3] for run in runs[i]),
        }
        for i in only
    ]


def table(rows: int, rounds: int, results: list[dict[str, float]], started: str) -> str:
    """The BENCHMARKS.md block's text: how it was measured and the table."""
    airbyte = next((r["rows_per_s"] for r in results if r["index"] == AIRBYTE_ROW), None)
    lines = [
        f"Peers: `make bench-peers` at {started}, {rows:,}-row stock-count CSV, {rounds} "
        "interleaved rounds of whole processes (start-up included), medians; peak RSS summed "
        "over the process and its descendants (sampled every 50 ms), the largest single "
        "process in brackets; and peak PSS summed over the same processes (every 250 ms), "
        "which shares each page the processes share (the interpreter, its libraries) among "
        "them instead of counting it in each, as the RSS sum does; load average at the end "
        f"{_load()} on the 2 cores (other sessions' work). Airbyte's File source "
        f"0.6.0 runs in its own venv (`var/peers/airbyte`): its dependencies installed with "
        f"`{SMART_OPEN_PIN}` (it declares `smart-open[all]==0.6.0`, which does not exist), "
        "then the connector with `--no-deps`.",
        "",
        "| command | rows/s | vs Airbyte | peak RSS, process tree (largest process) "
        "| peak PSS, process tree |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{r['rows_per_s'] / airbyte:.2f}×" if airbyte else "—"
        lines.append(
            f"| {COMMANDS[int(r['index'])].name} | {r['rows_per_s']:,.0f} "
            f"({r['seconds']:.1f} s) | {ratio} | {r['peak_rss_mb']:.0f} MB "
            f"({r['largest_rss_mb']:.0f} MB) | {r['peak_pss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    """Command-line entry (``make bench-peers``)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", type=int, nargs="*", help="indexes into COMMANDS")
    parser.add_argument("--no-write", action="store_true", help="print, leave BENCHMARKS.md")
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--clean-broker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clean_broker:
        _clean_broker(args.clean_broker)
        return
    if args.reference:
        print(json.dumps({"rows": reference(args.reference)}))
        return
    install_airbyte()
    # as a wheel install leaves them: compiled once here, not in every process measured
    packages = ["hub", "canonical", "connectors", "mappings", "benchmarks"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True, cwd=ROOT)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    only = args.only if args.only is not None else list(range(len(COMMANDS)))
    results = measure(args.rows, args.rounds, only)
    block = table(args.rows, args.rounds, results, started)
    print(block)
    if not args.no_write:
        write_block(ROOT / "BENCHMARKS.md", MARK_START, MARK_END, block)


if __name__ == "__main__":
    main()
