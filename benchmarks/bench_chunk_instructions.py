"""The bulk path's per-row cost in a worker, counted in instructions: ``translate_chunk``.

The CSV chunk workers parse, map, validate and serialise every row of a bulk file; their cost a
row is what the whole-process rate rests on (issue 19). Wall-clock time on this shared 2-core
machine moves with the other sessions' load, so this counts the instructions callgrind sees
for one call of :func:`hub.chunks.translate_chunk` on a 20,000-row chunk of ``bench_bulk``'s
file (19,999 events, 1 dead letter), after a 2,000-row warm-up chunk (pydantic and the compiled
spec build their validators on first use), with ``--dump-before=getppid`` around the measured
call: the same method as the tracing rows in BENCHMARKS.md.

Run: ``python -m benchmarks.bench_chunk_instructions`` (about a minute), ``--frozen`` to freeze
the heap after the warm-up as a worker does, or ``--profile DIR`` to keep the measured call's
callgrind file for ``callgrind_annotate --inclusive=yes``.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["ROWS", "WARM_UP_ROWS", "count", "run"]

#: rows of the measured chunk, and of the warm-up chunk before it
ROWS = 20_000
WARM_UP_ROWS = 2_000


def _child(rows: int, warm_up: int, *, frozen: bool = False) -> None:
    """Under callgrind: make the file and the jobs, warm up, then the measured chunk.

    ``frozen``: the heap is frozen after the warm-up, as a worker's is after its start-up
    (``hub.chunks.prepare_worker``), so collections do not walk the import-time objects.
    """
    # the child alone needs the hub; the parent only starts valgrind
    from benchmarks.bench_bulk import write_file
    from connectors.formats.csv import CsvPosition, split_rows
    from hub.chunks import ChunkJob, translate_chunk
    from hub.config import Settings, csv_format_for
    from mappings import SpecRegistry

    registry = SpecRegistry.from_directory()
    config = Settings().connector("stock-count")
    fmt = csv_format_for(config, registry)
    spec_file = str(registry.get(config.mapping).file)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_file(Path(tmp) / "count.csv", rows)
        with path.open("rb") as fh:
            context, header_len = fmt.read_header(fh, str(path))
            fh.seek(header_len)
            (chunk,) = split_rows(fh, CsvPosition(header_len, 1), rows)
        with path.open("rb") as fh:
            fh.seek(header_len)
            warm = next(iter(split_rows(fh, CsvPosition(header_len, 1), warm_up)))

    def job(rows_chunk: object) -> ChunkJob:
        return ChunkJob(
            chunk=rows_chunk,  # type: ignore[arg-type]
            spec_file=spec_file,
            fmt=fmt,
            context=context,
            connector="stock-count",
            source="crossdock:file/count.csv",
            location_prefix=str(path),
            doc_key="count.csv:1:abc",
            dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
            batch_size=1000,
            time=datetime(2026, 11, 23, tzinfo=UTC),
        )

    measured = job(chunk)
    translate_chunk(job(warm))
    if frozen:
        gc.freeze()
    os.getppid()  # dump: imports, the file, the warm-up
    result = translate_chunk(measured)
    os.getppid()  # dump: the measured chunk
    assert result.records == rows, result.records


_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


def count(
    python: str = sys.executable,
    rows: int = ROWS,
    *,
    cwd: str | None = None,
    keep: Path | None = None,
    frozen: bool = False,
) -> int:
    """Instructions of one ``translate_chunk`` call on ``rows`` rows, in a callgrind child.

    ``cwd`` runs another checkout's code with this module (its ``benchmarks`` package must
    have this file); ``keep`` copies the measured call's callgrind file there.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--dump-before=getppid",
            f"--callgrind-out-file={out}",
            python,
            "-m",
            "benchmarks.bench_chunk_instructions",
            "--child",
            str(rows),
            str(WARM_UP_ROWS),
            *(["--frozen"] if frozen else []),
        ]
        # a fixed hash seed: set and dict layouts, and so the instructions, repeat run to run
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=3600, cwd=cwd)
        parts: dict[int, tuple[int, Path]] = {}
        for dump in Path(tmp).glob("cg.out.*"):
            found = _TOTALS.search(dump.read_bytes())
            if found is not None:
                parts[int(dump.name.rsplit(".", 1)[1])] = (int(found.group(1)), dump)
        numbers = sorted(parts)
        if len(numbers) < 2:
            raise RuntimeError(f"callgrind dumps missing: {numbers}")
        # the last numbered dump ends at the child's last getppid call: the measured chunk
        instructions, dump = parts[numbers[-1]]
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(dump, keep / "translate_chunk.callgrind")
    return instructions


def run() -> list[tuple[str, str, str, str]]:
    """One context row (what, measured, reference, verdict)."""
    what = f"Bulk per-row path: `translate_chunk` instructions a row, {ROWS:,} rows (callgrind)"
    if shutil.which("valgrind") is None:
        return [(what, "skipped: valgrind is not installed", "", "NOT measured")]
    per_row = count() / ROWS
    return [
        (what, f"{per_row:,.0f} instructions/row", "reference ~8 µs/row (bench-peers)", "context")
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(int(sys.argv[2]), int(sys.argv[3]), frozen="--frozen" in sys.argv)
    elif sys.argv[1:2] == ["--profile"]:
        total = count(keep=Path(sys.argv[2]))
        print(f"{total / ROWS:,.0f} instructions/row ({total:,} in all)")
    else:
        frozen = "--frozen" in sys.argv  # as in a worker: the heap frozen after start-up
        print(f"{count(frozen=frozen) / ROWS:,.0f} instructions/row")
