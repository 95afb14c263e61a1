"""Per-format overhead against the bare parse, counted in instructions instead of seconds.

The wall-clock rows of ``bench_x12``, ``bench_edifact`` and ``bench_documents`` divide
Crossdock's time by the bare parser's; on this shared 2-core machine the other sessions' load
moves those ratios by a third from one run to the next. Valgrind's callgrind counts the
instructions a process executes, which the rest of the machine does not change, so the same
ratio counted in instructions can be compared across runs, commits and load.

Each format runs in one ``valgrind --tool=callgrind`` child on a tenth of its wall-clock
benchmark's workload, built by that benchmark's own generators: imports, the input and the
mapping are built and both paths run once (pydantic and the compiled specs build their
validators on first use), then the bare parse runs, then the full path (parse + map +
validate, and for documents serialisation, as the wall-clock row does). The child calls
``os.getppid()`` between the phases, and callgrind dumps its counters before each such call
(``--dump-before=getppid``), so one process yields each phase's count with nothing else in it.
The ratio is full / bare.

The baseline ratios are those of commit f260599 (before issue 14's work), counted the same way
on the same machine and Python; issue 14 asks that each format's overhead stay within 20 % of
them. Run: ``python -m benchmarks.bench_format_instructions`` (about a minute a format).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["BASELINE", "FORMATS", "count", "run"]

#: workload of each child as a fraction of the wall-clock benchmark's
SCALE = 0.1
#: overhead ratio (full / bare, instructions) at f260599, the issue's "today's" figures
BASELINE: dict[str, float] = {
    "x12": 3.15,
    "edifact": 3.29,
    "poslog": 5.69,
    "idoc": 4.18,
    "shopify": 7.67,
}
#: the issue's allowance over the baseline ratio
ALLOWED_GROWTH = 1.2

Paths = tuple[Callable[[], object], Callable[[], object]]


def _x12() -> Paths:
    # the benchmarks import the formats at module level; the parent never needs them
    from benchmarks import bench_x12
    from canonical import event_model
    from connectors.formats.x12 import X12Format
    from connectors.formats.x12.segments import iter_segments
    from connectors.formats.x12.separators import read_separators
    from connectors.record import RawRecord
    from mappings import compile_spec, load_spec

    sets = int(bench_x12._SETS * SCALE)
    data = bench_x12._interchange(sets)
    seps, _ = read_separators(data, "bench")
    mapping = compile_spec(load_spec(bench_x12._SPEC))
    model = event_model(mapping.target_type, mapping.target_version)

    def bare() -> int:
        return sum(1 for _ in iter_segments(io.BytesIO(data), seps, "bench"))

    def full() -> int:
        events = 0
        for item in X12Format().messages(io.BytesIO(data), "bench"):
            assert isinstance(item, RawRecord), item
            for event in mapping.map_all(item.fields):
                model.model_validate(event)
                events += 1
        assert events == sets, events
        return events

    return bare, full


def _edifact() -> Paths:
    # imported in the child only, as above
    from benchmarks import bench_edifact

    messages = int(bench_edifact.MESSAGES * SCALE)
    data = bench_edifact.interchange(messages)
    full = bench_edifact._full_pipeline()
    return (lambda: bench_edifact._bare(data)), (lambda: full(data))


def _documents(name: str) -> Paths:
    # imported in the child only, as above
    from benchmarks import bench_documents as bd
    from connectors.formats.idoc import IdocFormat
    from connectors.formats.poslog import PoslogFormat
    from connectors.formats.shopify import ShopifyFormat
    from hub.documents import DocumentMapper
    from mappings import SpecRegistry

    mapper = DocumentMapper(SpecRegistry.from_directory())
    if name == "poslog":
        data = bd.poslog_bytes(int((4 << 20) * SCALE))
        poslog = PoslogFormat()

        def poslog_full() -> object:
            result = bd.translate(poslog, io.BytesIO(data), mapper, "bench.xml")
            assert result[2] == 0, result
            return result

        return (lambda: bd._bare_poslog(data)), poslog_full
    if name == "idoc":
        data = bd._idoc_bytes(int(500 * SCALE))
        idoc = IdocFormat()

        def idoc_full() -> object:
            result = bd.translate(idoc, io.BytesIO(data), mapper, "orders05.xml")
            assert result[2] == 0, result
            return result

        return (lambda: bd._bare_idoc(data)), idoc_full
    import orjson  # the bare reference of Shopify; the parent never parses JSON

    names = ["order", "refund", "inventory_level", "inventory_levels"]
    bodies = [(bd.CORPUS / "shopify" / f"shopify_python_api_{n}.json").read_bytes() for n in names]
    docs = bodies * int(500 * SCALE)
    shopify = ShopifyFormat()

    def shopify_full() -> int:
        events = 0
        for doc in docs:
            _, e, f = bd.translate(shopify, io.BytesIO(doc), mapper, "hook.json")
            assert f == 0
            events += e
        return events

    return (lambda: [orjson.loads(doc) for doc in docs]), shopify_full


#: format → (label as in the wall-clock row, builder of its bare and full paths)
FORMATS: dict[str, tuple[str, Callable[[], Paths]]] = {
    "x12": ("X12 850 → order.created", _x12),
    "edifact": ("EDIFACT ORDERS → order.created", _edifact),
    "poslog": ("POSLog → inventory/return events", lambda: _documents("poslog")),
    "idoc": ("SAP IDoc ORDERS05 → order.created", lambda: _documents("idoc")),
    "shopify": ("Shopify webhooks → order/return/inventory events", lambda: _documents("shopify")),
}


def _child(name: str) -> None:
    """Under callgrind: build, warm both paths, then bare and full, each after a dump."""
    bare, full = FORMATS[name][1]()
    bare()
    full()
    os.getppid()  # dump: imports, input, warm-up
    bare()
    os.getppid()  # dump: the bare parse
    full()
    os.getppid()  # dump: the full path


_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


def count(
    name: str, python: str = sys.executable, env: dict[str, str] | None = None
) -> tuple[int, int]:
    """Instructions of format ``name``'s (bare parse, full path), in a callgrind child."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--dump-before=getppid",
            f"--callgrind-out-file={out}",
            python,
            "-m",
            "benchmarks.bench_format_instructions",
            "--child",
            name,
        ]
        # a fixed hash seed: set and dict layouts, and so the instructions, repeat run to run
        child_env = {**(env if env is not None else os.environ), "PYTHONHASHSEED": "0"}
        subprocess.run(cmd, check=True, capture_output=True, env=child_env, timeout=3600)
        parts: dict[int, int] = {}
        for dump in Path(tmp).glob("cg.out.*"):
            found = _TOTALS.search(dump.read_bytes())
            if found is not None:
                parts[int(dump.name.rsplit(".", 1)[1])] = int(found.group(1))
    # the last two numbered dumps end at the child's last two getppid calls: bare, then full
    # (the final dump at exit is cg.out itself; an import calling getppid only splits setup)
    numbers = sorted(parts)
    if len(numbers) < 3:
        raise RuntimeError(f"callgrind dumps missing for {name}: {numbers}")
    return parts[numbers[-2]], parts[numbers[-1]]


def run() -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, reference, verdict) for ``make bench``."""
    if shutil.which("valgrind") is None:
        return [
            (
                "Per-format overhead in instructions (callgrind)",
                "skipped: valgrind is not installed (apt-get install valgrind)",
                "",
                "NOT measured",
            )
        ]
    rows = []
    for name, (label, _) in FORMATS.items():
        bare, full = count(name)
        ratio = full / bare
        base = BASELINE.get(name)
        if base is None:
            reference, verdict = "no baseline", "context"
        else:
            limit = base * ALLOWED_GROWTH
            change = (ratio / base - 1) * 100
            reference = f"{base:.2f}× at f260599 (goal ≤ {limit:.2f}×)"
            verdict = f"{change:+.0f} % — {'met' if ratio <= limit else 'NOT met'}"
        rows.append(
            (
                f"{label}: parse+map+validate / bare parse, instructions (callgrind, "
                f"{SCALE:g} of the wall-clock workload; load-independent)",
                f"{ratio:.2f}× ({full / 1e6:,.0f} M instructions / {bare / 1e6:,.0f} M bare)",
                reference,
                verdict,
            )
        )
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    elif sys.argv[1:2] == ["--ratio"]:
        # one format's ratio, for measuring another checkout with this module
        bare, full = count(sys.argv[2])
        print(f"{full / bare:.4f} {bare} {full}")
    else:
        for row in run():
            print(" | ".join(row))
