"""SIGKILL of the worker mid-file, then a restart: no row lost, every event id seen once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml
from sqlalchemy import select

from canonical import make_event_id
from hub.checkpoints import CheckpointRow
from hub.database import connect
from hub.deadletter import DeadLetterService
from hub.dedup import claim_events
from hub.file_source import document_key
from tests.hub.conftest import HubEnv, write_count

ROWS = 100_000
BAD_EVERY = 9_973  # a prime, so bad rows fall in different chunks


def _rows() -> list[str]:
    rows = []
    for i in range(ROWS):
        qty = "x" if i % BAD_EVERY == 0 and i else str(i % 50)
        rows.append(f"{1000 + i % 40},SKU-{i:06d},,{qty},{i % 47},2026-11-20T06:00:00Z,c{i % 7}")
    return rows


def _run(env: HubEnv, inbox: Path, config: Path, log: Path) -> subprocess.Popen[bytes]:
    s = env.settings
    with log.open("wb") as err:
        return subprocess.Popen(
        # routing is not what this test is about: it has tests of its own, and routing a
        # hundred thousand variances would make this one about routing's speed
        [sys.executable, "-m", "hub.cli", "run", "--once", "--no-routing", "--inbox", str(inbox),
         "--config", str(config), "--data-dir", str(s.data_dir),
         "--bus-url", s.resolved_bus_url, "--database-url", s.resolved_database_url],
        stdout=subprocess.DEVNULL,
        stderr=err,
    )  # fmt: skip


@pytest.mark.slow
def test_sigkill_mid_file_then_restart_loses_nothing_and_dedup_sees_each_id_once(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    path = write_count(inbox / "big.csv", _rows())
    doc_key = document_key(path)
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "chunk_size": 2_000,
                "batch_size": 500,
                "workers": 2,
                "exchange": hub_env.settings.exchange,
            }
        ),
        encoding="utf-8",
    )

    log = tmp_path / "run.log"
    proc = _run(hub_env, inbox, config, log)
    engine = connect(hub_env.settings.resolved_database_url)
    deadline = time.monotonic() + 120
    line = 0
    while time.monotonic() < deadline and proc.poll() is None:
        with engine.connect() as conn:
            line = (
                conn.execute(
                    select(CheckpointRow.line).where(CheckpointRow.source_key == doc_key)
                ).scalar()
                or 0
            )
        if line >= ROWS // 4:
            break
        time.sleep(0.02)
    assert proc.poll() is None, log.read_text()[-2000:]
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "a file this size is translated by worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, "workers of a killed pipeline must not linger"
    assert 0 < line < ROWS, "the kill must land in the middle of the file"
    assert path.exists(), "a file killed mid-way stays in the inbox"

    proc = _run(hub_env, inbox, config, log)
    try:
        assert proc.wait(timeout=300) == 0, log.read_text()[-2000:]
    finally:
        if proc.poll() is None:  # a hung restart must not outlive the test
            proc.kill()
            proc.wait()
    assert "resumed after line" in log.read_text()

    bad_lines = {i + 2 for i in range(1, ROWS) if i % BAD_EVERY == 0}
    ref = "csv.stock-count@1"
    doc_id = doc_key.rsplit(":", 1)[1]
    expected = {make_event_id(doc_id, str(i + 2), ref) for i in range(ROWS)} - {
        make_event_id(doc_id, str(n), ref) for n in bad_lines
    }

    delivered = 0
    fresh_total: set[str] = set()

    def handle(events: list[dict[str, Any]]) -> None:
        nonlocal delivered
        delivered += len(events)
        with engine.begin() as conn:
            fresh = claim_events(conn, "crash-test", [e["id"] for e in events])
        assert not fresh & fresh_total
        fresh_total.update(fresh)

    hub_env.consumer.drain(handle, idle_timeout=2.0)
    assert fresh_total == expected
    assert delivered >= len(expected)  # copies re-sent after the kill are absorbed by dedup

    letters = DeadLetterService(engine).list(limit=1000)
    assert sorted(int(x.location.rsplit(" ", 1)[1]) for x in letters) == sorted(bad_lines)
    engine.dispose()
