"""One huge line or segment: reading time proportional to its bytes (issue 16).

A CSV line, an EDIFACT segment and an X12 segment of 5 to 160 MB, each read whole by its reader
with the caps raised above them (``limits.line_bytes``, ``field_bytes`` and ``segment_bytes``).
Before issue 16 a line was joined again for every 64 KiB block (CSV, EDIFACT) or 1 MiB chunk
(X12), so time grew with the square of the line (5, 10, 20 MB CSV lines through the hub: 0.3,
0.9, 4.0 s; the CSV cutter alone 0.05, 0.25, 0.99 s). Up to 20-40 MB the line sits in the CPU's
cache and reads faster per MB; beyond it time per MB is flat. The goal is on the lines past
the cache: 160 MB in at most 2.5× the time of 80 MB (2× the bytes; quadratic would be 4×).
Best of three rounds per size, in CPU seconds of the reading process (the machine is shared).

Run: ``python -m benchmarks.bench_long_lines``.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from connectors.formats.csv import CsvFormat
from connectors.formats.edifact import EdifactFormat
from connectors.formats.limits import ReadLimits, read_limits, set_read_limits
from connectors.formats.x12 import X12Format

__all__ = ["run"]

SIZES_MB = (5, 10, 20, 40, 80, 160)
#: the goal's sizes: past the CPU's cache
FROM_MB, TO_MB = 80, 160
ROUNDS = 3
_MB = 1 << 20

_EDIFACT = b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+200101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+"
_X12 = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *200101*1200*U*00401"
    b"*000000001*0*P*>~GS*PO*S*R*20200101*1200*1*X*004010~ST*850*0001~BEG*00*SA*"
)


def _csv(size: int, folder: Path) -> Callable[[], object]:
    path = folder / f"line-{size}.csv"
    path.write_bytes(b"store_id,note\n0142," + b"n" * size + b"\n")
    return lambda: list(CsvFormat().read(path))


def _edifact(size: int, _: Path) -> Callable[[], object]:
    data = _EDIFACT + b"x" * size + b"'UNT+3+1'UNZ+1+1'"
    return lambda: list(EdifactFormat().messages(io.BytesIO(data), "long.edi"))


def _x12(size: int, _: Path) -> Callable[[], object]:
    data = _X12 + b"x" * size + b"~SE*3*0001~GE*1*1~IEA*1*000000001~"
    return lambda: list(X12Format().messages(io.BytesIO(data), "long.x12"))


def _best(read: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        # CPU time of this process: the machine is shared, and wall time there measures
        # the neighbours too
        started = time.process_time()
        read()
        best = min(best, time.process_time() - started)
    return best


def run() -> list[tuple[str, str, str, str]]:
    """One row per reader: CPU seconds per size, and the 160 MB / 80 MB ratio against 2.5×."""
    before = read_limits()
    room = 2 * max(SIZES_MB) * _MB
    set_read_limits(ReadLimits(line_bytes=room, field_bytes=room, segment_bytes=room))
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, make in (
                ("CSV line", _csv),
                ("EDIFACT segment", _edifact),
                ("X12 segment", _x12),
            ):
                seconds = {mb: _best(make(mb * _MB, Path(tmp))) for mb in SIZES_MB}
                ratio = seconds[TO_MB] / seconds[FROM_MB]
                times = ", ".join(f"{mb} MB {seconds[mb]:.2f} s" for mb in SIZES_MB)
                print(f"{name}: {times}; {TO_MB}/{FROM_MB} MB = {ratio:.1f}×", flush=True)
                rows.append(
                    (
                        f"One {name} of 5–160 MB read whole, CPU s (time ∝ bytes: goal "
                        f"{TO_MB} MB ≤ 2.5× the {FROM_MB} MB time; quadratic would be 4×)",
                        times,
                        f"{FROM_MB} MB: {seconds[FROM_MB]:.2f} s "
                        f"({FROM_MB / seconds[FROM_MB]:.0f} MB/s); up to 20-40 MB the line is "
                        "in the CPU's cache",
                        f"{ratio:.1f}× for 2× the bytes — {'met' if ratio <= 2.5 else 'NOT met'}",
                    )
                )
    finally:
        set_read_limits(before)
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
