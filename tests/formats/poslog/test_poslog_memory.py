"""A big POSLog is read in bounded memory: each transaction is cleared once handed out."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks.bench_documents import write_poslog

# lxml keeps a whole 40 MB document in ~10x its size; one transaction at a time needs none of it
MEGABYTES = 40
LIMIT_MB = 150

CHILD = textwrap.dedent(
    """
    import json, sys
    from benchmarks.bench_documents import peak_rss_kb
    from connectors.formats.poslog import PoslogFormat
    count = 0
    with open(sys.argv[1], "rb") as fh:
        for record in PoslogFormat().messages(fh, "big.xml"):
            count += 1
    peak = peak_rss_kb()
    print(json.dumps({"count": count, "peak_kb": peak}))
    """
)


@pytest.mark.slow
def test_a_40_mb_poslog_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    write_poslog(path, MEGABYTES)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parents[3],
    )
    report = json.loads(done.stdout)
    assert report["count"] > 20_000
    assert report["peak_kb"] / 1024 < LIMIT_MB, report
