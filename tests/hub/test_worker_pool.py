"""The hub's worker pool: started once, shared by every big file, renewed after a worker dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest

from connectors.formats.csv import CsvPosition, split_rows
from hub.chunks import ChunkJob, translate_chunk
from hub.config import Settings, csv_format_for
from hub.runtime import Hub
from hub.worker_pool import WorkerPool
from mappings import SpecRegistry
from tests.hub.conftest import write_count


def _rows(n: int, bad_every: int = 0) -> list[str]:
    return [
        f"1001,SKU-{i:05d},4006381333931,{'n/a' if bad_every and i % bad_every == 0 else i % 7},"
        f"3,2026-11-20T06:00:00Z,ann"
        for i in range(1, n + 1)
    ]


def _jobs(path: Path) -> list[ChunkJob]:
    registry = SpecRegistry.from_directory()
    config = Settings().connector("stock-count")
    fmt = csv_format_for(config, registry)
    spec_file = str(registry.get(config.mapping).file)
    with path.open("rb") as fh:
        context, header_len = fmt.read_header(fh, str(path))
        fh.seek(header_len)
        chunks = list(split_rows(fh, CsvPosition(header_len, 1), 400))
    return [
        ChunkJob(
            chunk=chunk,
            spec_file=spec_file,
            fmt=fmt,
            context=context,
            connector="stock-count",
            source="crossdock:file/count.csv",
            location_prefix=str(path),
            doc_key="count.csv:1:abc",
            dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
            batch_size=100,
            time=datetime(2026, 11, 23, tzinfo=UTC),
        )
        for chunk in chunks
    ]


def _pids(pool: WorkerPool) -> set[int]:
    pool.start(wait=True)
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def test_workers_translate_exactly_as_this_process_does(tmp_path: Path) -> None:
    jobs = _jobs(write_count(tmp_path / "count.csv", _rows(1_000, bad_every=97)))
    assert len(jobs) == 3
    with WorkerPool(2, [jobs[0].spec_file]) as pool:
        remote = [pool.submit(job).result(timeout=60) for job in jobs]
    local = [translate_chunk(job) for job in jobs]
    assert [r.bodies for r in remote] == [r.bodies for r in local]
    assert [r.dead_locations for r in remote] == [r.dead_locations for r in local]
    assert sum(len(r.dead_rows) for r in remote) == 10  # lines 97, 194, … 970


def test_start_brings_up_every_process_and_close_ends_them(tmp_path: Path) -> None:
    pool = WorkerPool(2)
    before = {p.pid for p in multiprocessing.active_children()}
    started = _pids(pool) - before
    assert len(started) == 2
    pool.close()
    assert not started & {p.pid for p in multiprocessing.active_children()}


def _translate_all(pool: WorkerPool, jobs: list[ChunkJob]) -> None:
    # the pool learns of a death on its next job or the one after
    for job in jobs:
        pool.submit(job).result(timeout=60)


def _until_the_executor_saw_it_die(pool: WorkerPool, timeout: float = 30.0) -> None:
    """Wait for the executor's own thread to notice the killed worker. Before it has, a job may
    still go to the living one: asserting on the next job would race that thread (a flake seen
    in CI). Its private ``_broken`` flag is the only sign the standard library gives."""
    deadline = time.monotonic() + timeout
    while not getattr(pool._executor(), "_broken", False):
        assert time.monotonic() < deadline, "the pool never noticed its killed worker"
        time.sleep(0.02)


def test_after_a_worker_is_killed_the_next_job_gets_fresh_processes(tmp_path: Path) -> None:
    jobs = _jobs(write_count(tmp_path / "count.csv", _rows(500)))
    with WorkerPool(2, [jobs[0].spec_file]) as pool:
        first = _pids(pool)
        os.kill(next(iter(first)), signal.SIGKILL)
        _until_the_executor_saw_it_die(pool)
        # the broken executor refuses the next job, and the pool answers with fresh processes:
        # no job after the death fails
        _translate_all(pool, jobs * 5)
        result = pool.submit(jobs[0]).result(timeout=60)
        assert result.published == 400
        assert not first & {p.pid for p in multiprocessing.active_children()}


def test_results_waiting_for_a_slow_caller_are_one_a_process(tmp_path: Path) -> None:
    # in-process routing takes longer over a chunk than translating it: the pool had five
    # finished chunks (5.4 MB each on the bulk file) waiting in the hub while it routed one
    jobs = _jobs(write_count(tmp_path / "count.csv", _rows(3_600)))
    assert len(jobs) == 9
    pulled = handed = 0
    held = []

    def counted() -> Iterator[ChunkJob]:
        nonlocal pulled
        for job in jobs:
            pulled += 1
            yield job

    with WorkerPool(2, [jobs[0].spec_file]) as pool:
        pool.start(wait=True)
        for _job, result in pool.in_order(counted()):
            assert result.published == 400
            held.append(pulled - handed)
            time.sleep(0.4)  # routing the chunk
            handed += 1
    assert handed == 9
    # the one being routed and one in flight a process (before: five, then the file's end);
    # a result late on a loaded machine grows the window by one until the next is early
    assert max(held) <= 4
    assert held.count(3) >= 5, held


def test_a_hub_keeps_its_workers_from_one_big_file_to_the_next(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", chunk_size=400, batch_size=100, workers=2)
    with Hub(settings) as hub:
        assert hub.workers is not None
        seen = []
        for name in ("a.csv", "b.csv"):
            path = write_count(tmp_path / name, _rows(1_000))
            outcome = hub.read_file("stock-count", path)
            assert outcome.published == 1_000
            seen.append({p.pid for p in multiprocessing.active_children()})
        assert len(seen[0]) == 2
        assert seen[0] == seen[1]  # the same two processes did both files
    assert not seen[0] & {p.pid for p in multiprocessing.active_children()}


def test_a_pool_needs_a_process() -> None:
    with pytest.raises(ValueError, match="at least one process"):
        WorkerPool(0)


_KILLED_DURING_START = """
import multiprocessing, sys
from hub.worker_pool import WorkerPool
if __name__ == "__main__":
    pool = WorkerPool(2)
    pool.start()  # not waiting: the workers are still importing when the parent dies
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    sys.stdin.read()
"""


def test_workers_leave_when_the_hub_is_killed_while_they_start(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(_KILLED_DURING_START)
    with subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    ) as parent:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        parent.kill()  # SIGKILL, before the workers' imports are done
        parent.wait()
    assert len(pids) >= 2
    workers = [psutil.Process(p) for p in pids if psutil.pid_exists(p)]
    _, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, f"workers outlived a hub killed during their start: {alive}"


def test_ctrl_c_on_the_terminal_leaves_the_workers_to_the_hub(tmp_path: Path) -> None:
    jobs = _jobs(write_count(tmp_path / "count.csv", _rows(400)))
    with WorkerPool(2, [jobs[0].spec_file]) as pool:
        pids = _pids(pool)
        for pid in pids:
            os.kill(pid, signal.SIGINT)  # what Ctrl-C sends the whole process group
        time.sleep(0.5)
        assert pids <= {p.pid for p in multiprocessing.active_children()}
        assert pool.submit(jobs[0]).result(timeout=60).published == 400


def test_ctrl_c_while_the_workers_import_leaves_them_to_the_hub(tmp_path: Path) -> None:
    """Ctrl-C in the first seconds of `crossdock run`, while the workers still import: before
    their initializer ignores SIGINT, each died printing a KeyboardInterrupt traceback."""
    jobs = _jobs(write_count(tmp_path / "count.csv", _rows(400)))
    with WorkerPool(2, [jobs[0].spec_file]) as pool:
        pool.start()  # not waiting: the workers are importing
        children = multiprocessing.active_children()
        assert len(children) >= 2
        for child in children:
            os.kill(child.pid, signal.SIGINT)  # what Ctrl-C sends the whole process group
        pool.start(wait=True)
        assert {c.pid for c in children} <= {p.pid for p in multiprocessing.active_children()}
        assert pool.submit(jobs[0]).result(timeout=60).published == 400
