"""Bulk: a large stock-count file → validated events → durably confirmed on the bus.

Run alone (``python -m benchmarks.bench_bulk --rows N --bus-url URL``) it processes one
generated file in this process and prints JSON with the rate and the peak RSS, so the memory
figure is of the pipeline alone. :func:`reference_rate` is the yardstick measured in the same
run: ``csv.DictReader`` plus a flat pydantic model validated per row.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
GTINS = ["4006381333931", "036000291452", "96385074", "", "10012345678902"]


def write_file(path: Path, rows: int) -> Path:
    """A realistic stock count: 40 stores, GTINs on most rows, a bad row every 10,007."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(rows):
            qty = "n/a" if i % 10_007 == 10_006 else str(i % 50)
            fh.write(
                f"{1000 + i % 40},SKU-{i:07d},{GTINS[i % 5]},{qty},{i % 47},"
                f"2026-11-20T06:{i % 60:02d}:00Z,counter{i % 9}\n"
            )
    return path


class _FlatRow(BaseModel):
    store_id: str
    sku: str
    gtin: str
    counted_qty: Decimal
    system_qty: Decimal
    counted_at: datetime
    counter: str


def reference_rate(path: Path, limit: int = 300_000) -> float:
    """Rows/s of csv.DictReader + a flat pydantic model validated per row."""
    started = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            with contextlib.suppress(ValueError):
                _FlatRow.model_validate(row)
            n += 1
            if n >= limit:
                break
    return n / (time.perf_counter() - started)


def run_pipeline(path: Path, bus_url: str, data_dir: Path) -> dict[str, float]:
    """Process ``path`` through the real pipeline; rows/s and peak RSS in MB."""
    from hub.bus.consumer import EventConsumer
    from hub.bus.topology import event_queue
    from hub.config import Settings
    from hub.runtime import Hub

    settings = Settings(data_dir=data_dir, bus_url=bus_url, batch_size=1000, chunk_size=20_000)
    # a bound durable queue, so the broker really persists what it confirms (an unroutable
    # message is confirmed at once and stored nowhere)
    queue = event_queue("bench.bulk", ["retail.#"])
    EventConsumer(settings.resolved_bus_url, queue).declare()
    with Hub(settings) as hub:
        # a running hub's workers are up before files arrive (`crossdock run` starts them), as
        # the reference's imports and model build come before its clock starts; their start-up
        # is reported on its own
        warm = _CpuClock()
        warm_started = time.perf_counter()
        hub.start_workers(wait=True)
        warm_seconds = time.perf_counter() - warm_started
        warm_cpu = warm.spent()["workers"]
        # a running hub has told a file's format before: the first look imports the document
        # formats (~76 ms of CPU once a process, 0.3 µs a row of a 250,000-row file), which
        # the pipeline this benchmark measured until issue 15 never did (it was CSV by fiat)
        hub.document_format("stock-count", path)
        cpu = _CpuClock()
        started = time.perf_counter()
        outcome = hub.read_file("stock-count", path)
        seconds = time.perf_counter() - started
        spent = cpu.spent()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from hub.bus.connection import open_connection

    conn = open_connection(settings.resolved_bus_url)
    try:
        queue(conn.channel()).delete()
    finally:
        conn.release()
    return {
        "rows": outcome.records,
        "published": outcome.published,
        "dead_lettered": outcome.dead_lettered,
        "seconds": seconds,
        "rows_per_s": outcome.records / seconds,
        "peak_rss_mb": peak_kb / 1024,
        "worker_start_s": warm_seconds,
        "worker_start_cpu_s": warm_cpu,
        # CPU µs per row by process, to show where the time goes on a CPU-bound machine
        **{f"cpu_us_per_row_{who}": sec / outcome.records * 1e6 for who, sec in spent.items()},
    }


class _CpuClock:
    """CPU seconds spent by this process, its finished children and the RabbitMQ node."""

    def __init__(self) -> None:
        self._start = self._read()

    @staticmethod
    def _read() -> dict[str, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        # children that have exited, plus the hub's workers, which are still running
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        live = sum(_process_cpu_seconds(p.pid) or 0.0 for p in multiprocessing.active_children())
        seconds = {
            "main": own.ru_utime + own.ru_stime,
            "workers": kids.ru_utime + kids.ru_stime + live,
        }
        broker = _broker_cpu_seconds()
        if broker is not None:
            seconds["rabbitmq"] = broker
        return seconds

    def spent(self) -> dict[str, float]:
        end = self._read()
        return {k: end[k] - self._start[k] for k in end if k in self._start}


def _process_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a running process from /proc, or None when it is gone."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def _broker_cpu_seconds() -> float | None:
    """CPU time of a local RabbitMQ node (beam.smp), or None when there is none."""
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes()
                if b"beam.smp" in cmdline and b"rabbit" in cmdline:
                    return _process_cpu_seconds(int(entry.name))
    return None


def wait_for_quiet_broker(limit: float = 60.0, busy: float = 0.05) -> float:
    """Wait until the local RabbitMQ node uses under ``busy`` of a core; seconds waited.

    After a benchmark deletes a queue of persistent messages the broker spends seconds of CPU
    compacting its message store. On 2 cores that work would be charged to whatever is
    measured next, so each broker benchmark starts on a quiet node (at most ``limit`` s).
    """
    started = time.perf_counter()
    before = _broker_cpu_seconds()
    while before is not None and time.perf_counter() - started < limit:
        time.sleep(0.5)
        now = _broker_cpu_seconds()
        if now is None or now - before < busy * 0.5:
            break
        before = now
    return time.perf_counter() - started


def main() -> None:
    """Command-line entry: generate a file, run the pipeline, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bus-url", default=None)
    parser.add_argument(
        "--tracing", action="store_true", help="record spans (exported to nowhere, synchronously)"
    )
    args = parser.parse_args()
    exported = _traced() if args.tracing else None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_file(root / "count.csv", args.rows)
        bus = args.bus_url or f"sqlite:///{root / 'bus.db'}"
        result = run_pipeline(path, bus, root / "data")
    if exported is not None:
        result["spans"] = len(exported)
    json.dump(result, sys.stdout)


def _traced() -> list[str]:
    """Switch tracing on with an exporter that keeps only span names: every span is made,
    ended and handed over as with a real exporter, without a collector's network time."""
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    from connectors.sdk import tracing

    names: list[str] = []

    class _Names(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            names.extend(s.name for s in spans)
            return SpanExportResult.SUCCESS

    tracing.configure(span_exporter=_Names())
    return names


if __name__ == "__main__":
    main()
