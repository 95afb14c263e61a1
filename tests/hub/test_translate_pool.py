"""`crossdock translate` reads a big CSV file in the worker pool, and says exactly what the
record-by-record path says: the same JSON lines, byte for byte and in file order, the same
errors, the same counts and exit codes; Ctrl-C and a reader that goes away behave as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest

import connectors.formats.csv
import hub.translate
from benchmarks.bench_bulk import write_file
from hub.chunks import ChunkJob, ChunkResult, translate_chunk
from hub.config import Settings
from hub.translate import (
    EventLines,
    TranslationError,
    TranslationNote,
    TranslationReport,
    start_workers,
    translate_file,
)
from hub.worker_pool import WorkerPool
from mappings import SpecRegistry
from tests.corpus import corpus_file
from tests.hub.conftest import HEADER

ROOT = Path(__file__).resolve().parents[2]
CROSSDOCK = Path(sys.executable).parent / "crossdock"
#: CSV files of the repository (the demo inbox, the stock-count golden inputs)
REPO_CSV = sorted(
    p for p in (*ROOT.glob("demo/inbox/*.csv"), *ROOT.glob("mappings/specs/csv/*/*.csv"))
)
NOW = datetime(2026, 12, 7, 3, 0, 0, 123456, tzinfo=UTC)


class _Clock(datetime):
    """``datetime`` with a fixed ``now``: both paths stamp their events with the same time."""

    @classmethod
    def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
        return NOW


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(2) as workers:
        workers.start()
        yield workers


@pytest.fixture(scope="module")
def registry() -> SpecRegistry:
    return SpecRegistry.from_directory()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CSV file goes to the pool; both paths cut chunks of 7 rows (many boundaries)."""
    monkeypatch.setattr(hub.translate, "BULK_FROM_BYTES", 0)
    monkeypatch.setattr(hub.translate, "ROWS_PER_READ", 7)
    monkeypatch.setattr(connectors.formats.csv, "ROWS_PER_READ", 7)
    monkeypatch.setattr(hub.translate, "datetime", _Clock)


def _hostile(path: Path, copies: int) -> Path:
    """Every kind of bad row a stock count meets, among good ones, ``copies`` times over."""
    block = [
        b"1001,SKU-1,4006381333931,4,6,2026-11-20T07:30:00Z,ann\n",
        b"1001,SKU-2,,n/a,6,2026-11-20T07:30:00Z,ann\n",  # not a number (mapping)
        b"1001,SKU-3,,4,6,not-a-date,ann\n",  # not a date
        b"1001,SKU-4,,4\n",  # columns missing (decode)
        b"\n",  # a blank line is no record
        b'1001,"SKU-5, the big one",,4,6,2026-11-20T07:30:00Z,"ann\nand bob"\n',  # quoted
        b"1001,SKU-6,,4,6,2026-11-20T07:30:00Z,\xffann\n",  # not UTF-8
        b"1001,SKU-7,,4,6,2026-11-20T07:30:00Z,a\x01nn\n",  # a control character
        b"1001,SKU-8,,4,6,2026-11-20T07:30:00Z,ann\r\n",  # a CRLF line
        b'1001,SKU-9,,4,6,2026-11-20T07:30:00Z,"ann""s"\n',
        "1001,SKU-10,,4,6,2026-11-20T07:30:00Z,Zoë\n".encode(),
        b"1001,SKU-11,,4,6,2026-11-20T07:30:00Z,ann,extra\n",  # a column too many
        b'1001,SKU-12,,4,6,2026-11-20T07:30:00Z,"never closed\n',  # a quote never closed
    ]
    path.write_bytes(HEADER.encode() + b"".join(block) * copies + b"1001,SKU-13,,4,6,2026-1")
    return path


def _lines(
    path: Path,
    registry: SpecRegistry,
    pool: WorkerPool | None,
    report: TranslationReport | None = None,
) -> list[str | EventLines]:
    return list(
        translate_file(
            path, Settings(), connector="stock-count", report=report, registry=registry, pool=pool
        )
    )


def _output(
    path: Path, registry: SpecRegistry, pool: WorkerPool | None
) -> tuple[bytes, list[str], list[str], TranslationReport]:
    """(stdout's bytes, errors, notes, report) of translating ``path`` as the CLI writes them."""
    report = TranslationReport(path)
    out: list[bytes] = []
    errors: list[str] = []
    notes: list[str] = []
    for line in _lines(path, registry, pool, report):
        if isinstance(line, EventLines):
            out.append(line.data)
        elif isinstance(line, TranslationError):
            errors.append(str(line))
        elif isinstance(line, TranslationNote):
            notes.append(str(line))
        else:
            out.append(line.encode() + b"\n")
    return b"".join(out), errors, notes, report


def _assert_same(path: Path, registry: SpecRegistry, pool: WorkerPool) -> bytes:
    alone = _output(path, registry, None)
    pooled = _output(path, registry, pool)
    chunks = [line for line in _lines(path, registry, pool) if isinstance(line, EventLines)]
    assert bool(chunks) == (alone[3].events > 0)  # the pool's path was taken
    assert pooled[0] == alone[0]  # the JSON lines, byte for byte, in file order
    # a chunk's errors come after its events: in file order among themselves
    assert pooled[1] == alone[1]
    assert pooled[2] == alone[2]
    for field in ("format", "messages", "events", "errors", "refusals", "first_error"):
        assert getattr(pooled[3], field) == getattr(alone[3], field), field
    return pooled[0]


@pytest.mark.usefixtures("small_chunks")
def test_the_bulk_file_gives_the_same_lines_in_the_pool(
    tmp_path: Path, registry: SpecRegistry, pool: WorkerPool
) -> None:
    path = write_file(tmp_path / "count.csv", 20_100)  # two bad rows (a row every 10,007)
    out = _assert_same(path, registry, pool)
    assert out.count(b"\n") == 20_098
    assert out.startswith(b'{"specversion":"1.0","id":"')


@pytest.mark.usefixtures("small_chunks")
def test_every_kind_of_bad_row_is_reported_alike_in_the_pool(
    tmp_path: Path, registry: SpecRegistry, pool: WorkerPool
) -> None:
    path = _hostile(tmp_path / "hostile.csv", copies=5)
    _assert_same(path, registry, pool)
    out, errors, _, report = _output(path, registry, pool)
    assert report.events == out.count(b"\n") >= 5 * 4
    assert len(errors) == report.errors
    for reason in (
        "not a decimal number",
        "counted_at='not-a-date'",
        "expected 7 columns, found 4",
        "bytes not utf-8",
        "control character U+0001",
        "expected 7 columns, found 8",
        "malformed CSV",
    ):
        assert any(reason in error for error in errors), reason


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("path", REPO_CSV, ids=lambda p: p.name)
def test_the_repository_csv_files_give_the_same_lines_in_the_pool(
    path: Path, registry: SpecRegistry, pool: WorkerPool
) -> None:
    _assert_same(path, registry, pool)


@pytest.mark.usefixtures("small_chunks")
def test_the_corpus_csv_file_is_refused_alike_in_the_pool(
    registry: SpecRegistry, pool: WorkerPool
) -> None:
    path = corpus_file("csv/openboxes_mainWarehouseInventory.csv")
    _assert_same(path, registry, pool)


@pytest.mark.usefixtures("small_chunks")
def test_a_record_over_the_line_cap_stops_the_file_alike_in_the_pool(
    tmp_path: Path, registry: SpecRegistry, pool: WorkerPool
) -> None:
    path = write_file(tmp_path / "count.csv", 100)
    with path.open("ab") as fh:
        fh.write(b"1001,SKU-X,," + b"9" * (2 << 20) + b",1,2026-11-20T07:30:00Z,ann\n")
        fh.write(b"1001,SKU-Y,,1,1,2026-11-20T07:30:00Z,ann\n")
    _assert_same(path, registry, pool)
    _, errors, _, _ = _output(path, registry, pool)
    assert "line_bytes" in errors[-1]


@pytest.mark.usefixtures("small_chunks")
def test_an_empty_file_and_a_header_only_file_are_errors_alike(
    tmp_path: Path, registry: SpecRegistry, pool: WorkerPool
) -> None:
    for text in ("", HEADER):
        path = tmp_path / "count.csv"
        path.write_text(text, encoding="utf-8")
        _assert_same(path, registry, pool)


def test_workers_start_only_for_a_big_csv_file(tmp_path: Path) -> None:
    small = write_file(tmp_path / "small.csv", 100)
    document = tmp_path / "big.edi"
    document.write_bytes(b"ISA*00*" + b" " * hub.translate.BULK_FROM_BYTES)
    assert start_workers([small, document, tmp_path / "gone.csv"]) is None
    big = write_file(tmp_path / "big.csv", 20_000)
    assert big.stat().st_size >= hub.translate.BULK_FROM_BYTES
    pool = start_workers([small, big])
    assert pool is not None
    pool.close()


# -- the command, as a person runs it -------------------------------------------------------
@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stock count big enough for the pool (two bad rows)."""
    path = write_file(tmp_path_factory.mktemp("big") / "count.csv", 25_000)
    assert path.stat().st_size >= hub.translate.BULK_FROM_BYTES
    return path


def _crossdock(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(CROSSDOCK), "translate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_command_writes_the_same_bytes_and_errors_and_exits_1(
    big: Path, registry: SpecRegistry
) -> None:
    with _crossdock(str(big)) as proc:
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr.decode()
    alone, errors, _, _ = _output(big, registry, None)
    # the in-process run's clock set to the command's (every event of a file has one time)
    stamp = stdout.split(b'"time":"', 1)[1].split(b'"', 1)[0]
    mine = alone.split(b'"time":"', 1)[1].split(b'"', 1)[0]
    assert stdout == alone.replace(b'"time":"' + mine, b'"time":"' + stamp)
    assert stderr.decode().splitlines() == [f"error: {e}" for e in errors]
    assert len(errors) == 2


def test_the_command_exits_0_on_a_clean_big_file(tmp_path: Path) -> None:
    path = write_file(tmp_path / "clean.csv", 10_006 + 10_000)
    assert path.stat().st_size >= hub.translate.BULK_FROM_BYTES
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(line for line in lines if b",n/a," not in line))
    with _crossdock(str(path)) as proc:
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    assert stdout.count(b"\n") == 20_005
    assert stderr == b""


def _workers_gone(proc: psutil.Process, children: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(children, timeout=30)
    assert alive == [], f"workers left behind by {proc.pid}: {alive}"


def test_a_reader_that_goes_away_ends_the_command_quietly(big: Path) -> None:
    with _crossdock(str(big)) as proc:
        watched = psutil.Process(proc.pid)
        assert proc.stdout is not None
        assert proc.stderr is not None
        first = proc.stdout.readline()  # as `| head -n 1` reads
        assert first.startswith(b'{"specversion"')
        children = watched.children(recursive=True)
        proc.stdout.close()
        stderr = proc.stderr.read()
        assert proc.wait(timeout=120) == 1  # click's answer to a broken pipe, as before
    assert b"Traceback" not in stderr
    assert b"BrokenPipe" not in stderr
    _workers_gone(watched, children)


def test_ctrl_c_stops_the_command_with_130_and_no_traceback(big: Path) -> None:
    # a terminal's Ctrl-C reaches the whole process group: the workers are signalled too
    with _crossdock(str(big), start_new_session=True) as proc:
        watched = psutil.Process(proc.pid)
        assert proc.stdout is not None
        proc.stdout.readline()  # the pool is translating
        children = watched.children(recursive=True)
        assert len(children) >= 2
        os.killpg(proc.pid, signal.SIGINT)
        started = time.monotonic()
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    assert time.monotonic() - started < 60
    _workers_gone(watched, children)


class _DyingPool(WorkerPool):
    """A pool whose worker dies after the first chunk (what BrokenProcessPool tells)."""

    def in_order(self, jobs: Iterable[ChunkJob]) -> Iterator[tuple[ChunkJob, ChunkResult]]:
        job = next(iter(jobs))
        yield job, translate_chunk(job)
        raise BrokenProcessPool("a process in the process pool was terminated abruptly")


@pytest.mark.usefixtures("small_chunks")
def test_a_worker_that_dies_is_an_error_after_the_rows_before_it(
    tmp_path: Path, registry: SpecRegistry
) -> None:
    path = write_file(tmp_path / "count.csv", 100)
    out, errors, _, report = _output(path, registry, _DyingPool(2))
    assert out.count(b"\n") == 7  # the first chunk's events
    assert errors == [
        f"{path}: a translating worker process died after 7 row(s); "
        "the rest of the file was not translated"
    ]
    assert report.failed
