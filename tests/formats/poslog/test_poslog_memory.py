"""A big POSLog is read in bounded memory: each transaction is cleared once handed out."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks.bench_documents import write_poslog
from connectors.formats.limits import ReadLimits, read_limits, set_read_limits

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


def test_the_benchmarks_big_log_is_read_past_the_document_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make bench` reads a 500 MB POSLog, one XML document, past the 256 MiB default of
    limits.document_bytes: its child raises the cap above the file (here a 1 MB log against a
    cap of 1,000 bytes) instead of failing the whole benchmark on LimitExceeded."""
    from benchmarks.bench_documents import _rss_child

    path = tmp_path / "log.xml"
    write_poslog(path, 1)
    before = read_limits()
    set_read_limits(ReadLimits(document_bytes=1000))
    try:
        _rss_child(str(path))
    finally:
        set_read_limits(before)
    report = json.loads(capsys.readouterr().out)
    assert report["failures"] == 0
    assert report["messages"] > 500
