"""X12: documents/s and events/s of 850 → order.created, next to the bare tokenizer, and RSS.

1. Throughput: an interchange of 2,000 copies of the corpus 850 (six PO1 loops each) is read
   three ways in the same run, best of three each: the bare tokenizer (``iter_segments``, the
   "library" under Crossdock: no envelope checks, no tree), the reader (envelopes + loop trees),
   and reader + mapping spec ``x12.850`` + pydantic validation of ``OrderCreatedV3``. The
   ratio full/bare is Crossdock's own cost per document.
2. Memory: a generated interchange of ``CROSSDOCK_BENCH_X12_MB`` MB (default 500) is streamed
   through reader + mapping + validation in a child process, whose peak RSS is reported next
   to the same run on a tenth of the size: flat memory means streaming.

Run: ``python -m benchmarks.bench_x12`` (``CROSSDOCK_BENCH_X12_MB=50`` while developing).
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from canonical.events.order_created import OrderCreatedV3
from connectors.formats.x12 import X12Format
from connectors.formats.x12.segments import iter_segments
from connectors.formats.x12.separators import read_separators
from connectors.record import RawRecord
from mappings import SPECS_DIR, compile_spec, load_spec

__all__ = ["run"]

_CORPUS_850 = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "x12"
_SPEC = SPECS_DIR / "x12" / "retail.order.created@3.yaml"
_SETS = 2000


def _interchange(sets: int) -> bytes:
    """The corpus 850's envelope around ``sets`` copies of its transaction set."""
    source = (_CORPUS_850 / "nodex12_850.edi").read_bytes()
    head, rest = source.split(b"ST*850*", 1)
    body = b"ST*850*" + rest.split(b"GE*", 1)[0]
    copies = b"".join(body.replace(b"000000010", f"{n:09d}".encode()) for n in range(sets))
    return head + copies + f"GE*{sets}*1421~\nIEA*1*000003438~\n".encode()


def _best(function: Callable[[], int], repeat: int = 3) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = function()
        best = min(best, time.perf_counter() - started)
    return best, count


def _throughput() -> dict[str, float]:
    data = _interchange(_SETS)
    seps, _ = read_separators(data, "bench")
    mapping = compile_spec(load_spec(_SPEC))

    def bare() -> int:
        return sum(1 for _ in iter_segments(io.BytesIO(data), seps, "bench"))

    def parse() -> int:
        return sum(1 for _ in X12Format().messages(io.BytesIO(data), "bench"))

    def full() -> int:
        events = 0
        for item in X12Format().messages(io.BytesIO(data), "bench"):
            assert isinstance(item, RawRecord)
            for event in mapping.map_all(item.fields):
                OrderCreatedV3.model_validate(event)
                events += 1
        return events

    bare_s, segments = _best(bare)
    parse_s, documents = _best(parse)
    full_s, events = _best(full)
    assert documents == events == _SETS, (documents, events)
    return {
        "mb": len(data) / 1e6,
        "segments": segments,
        "bare_docs_per_s": _SETS / bare_s,
        "parse_docs_per_s": _SETS / parse_s,
        "docs_per_s": _SETS / full_s,
        "events_per_s": events / full_s,
        "ratio": full_s / bare_s,
    }


def _write_file(path: Path, megabytes: float) -> None:
    chunk = _interchange(200)
    head, body = chunk.split(b"ST*850*", 1)
    body = b"ST*850*" + body.rsplit(b"GE*", 1)[0]
    repeats = max(1, int(megabytes * 1e6 / len(body)))
    with path.open("wb") as fh:
        fh.write(head)
        for _ in range(repeats):
            fh.write(body)
        # the count is right for the group's 200 × repeats sets
        fh.write(f"GE*{200 * repeats}*1421~\nIEA*1*000003438~\n".encode())


def stream(path: Path) -> dict[str, float]:
    """Read, map and validate ``path`` in this process; count events and report peak RSS."""
    mapping = compile_spec(load_spec(_SPEC))
    started = time.perf_counter()
    events = errors = 0
    with path.open("rb") as fh:
        for item in X12Format().messages(fh, path.name):
            if not isinstance(item, RawRecord):
                errors += 1
                continue
            for event in mapping.map_all(item.fields):
                OrderCreatedV3.model_validate(event)
                events += 1
    seconds = time.perf_counter() - started
    return {
        "mb": path.stat().st_size / 1e6,
        "events": events,
        "errors": errors,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _stream_in_child(megabytes: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.x12"
        _write_file(path, megabytes)
        cmd = [sys.executable, "-m", "benchmarks.bench_x12", "--stream", str(path)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=3600)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def run() -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, reference, verdict) for ``make bench``."""
    megabytes = float(os.environ.get("CROSSDOCK_BENCH_X12_MB", "500"))
    t = _throughput()
    big = _stream_in_child(megabytes)
    small = _stream_in_child(megabytes / 10)
    flat = big["peak_rss_mb"] < 200 and big["peak_rss_mb"] < small["peak_rss_mb"] * 1.2
    return [
        (
            f"X12 850 → order.created v3: parse+map+validate ({_SETS:,} POs, {t['mb']:.1f} MB)",
            f"{t['docs_per_s']:,.0f} docs/s, {t['events_per_s']:,.0f} events/s",
            f"bare tokenizer {t['bare_docs_per_s']:,.0f} docs/s; reader alone "
            f"{t['parse_docs_per_s']:,.0f} docs/s",
            f"{t['ratio']:.1f}× the bare parse (Crossdock's overhead)",
        ),
        (
            f"X12 streaming: peak RSS, {big['mb']:.0f} MB interchange ({big['events']:,.0f} POs "
            f"in {big['seconds']:.0f} s)",
            f"{big['peak_rss_mb']:.0f} MB",
            f"{small['peak_rss_mb']:.0f} MB at {small['mb']:.0f} MB (goal < 200 MB, flat)",
            "met" if flat else "NOT met",
        ),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stream"]:
        print(json.dumps(stream(Path(sys.argv[2]))))
    else:
        for row in run():
            print(" | ".join(row))
