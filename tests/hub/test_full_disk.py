"""A full disk under the embedded data folder: one line, exit 1, and nothing lost after.

The data folder of the embedded default (SQLite database and bus, the ``make run`` setup) sits
on an 8 MB tmpfs; a file whose events do not fit fills it mid-file. ``crossdock run --once``
must say in one line which data folder has no space left (not ride it through as an outage:
the database and the bus still answer, and the retries only redo the same work), and a run
after space is freed resumes: every good row's event by id, every bad row's dead letter, and
both SQLite files intact.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.bus.consumer import EventConsumer
from hub.bus.topology import event_queue, events_exchange
from hub.config import Settings
from hub.database import connect
from hub.deadletter.service import DeadLetterService
from tests.chaos.cases import write_file

ROWS = 30_000  # about 8,000 events fill 8 MB of embedded bus
BAD_EVERY = 1_000


@pytest.fixture
def small_data_folder(tmp_path: Path) -> Iterator[Path]:
    """An empty data folder on its own 8 MB tmpfs (skipped where mounting is not permitted)."""
    data = tmp_path / "data"
    data.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(data)],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("no mount command: cannot put the data folder on a small tmpfs")
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def test_a_full_embedded_data_folder_stops_run_once_in_one_line_and_loses_nothing(
    small_data_folder: Path, tmp_path: Path
) -> None:
    data, inbox = small_data_folder, tmp_path / "inbox"
    name = f"test.{uuid.uuid4().hex[:10]}"
    settings = Settings(data_dir=data, exchange=name)
    queue = event_queue(name, ["retail.inventory.adjusted.*"], events_exchange(name))
    consumer = EventConsumer(settings.resolved_bus_url, queue)
    consumer.declare()  # bound before the run: its copies are what fills the folder
    dropped = write_file(inbox / "count.csv", ROWS, BAD_EVERY, "full")
    args = [sys.executable, "-m", "hub.cli", "run", "--once", "--no-routing",
            "--inbox", str(inbox), "--data-dir", str(data)]  # fmt: skip
    env = {**os.environ, "CROSSDOCK_EXCHANGE": name}

    full = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    errors = [line for line in full.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: data folder {data}: no space left on device (OperationalError: database or "
        "disk is full); free space and run again: it resumes from the checkpoints"
    ], full.stderr
    assert "going on" not in full.stderr  # not mistaken for an outage and tried again
    assert (inbox / "count.csv").exists()  # not refused: the file is not at fault

    subprocess.run(["mount", "-o", "remount,size=128m", str(data)], check=True)
    again = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert (inbox / "done" / "count.csv").exists()

    events: list[dict[str, Any]] = []
    consumer.drain(events.extend, idle_timeout=2.0)
    assert {e["id"] for e in events} == dropped.ids  # copies of the first run drop by id
    engine = connect(settings.resolved_database_url)
    try:
        letters = DeadLetterService(engine).list(limit=1000)
    finally:
        engine.dispose()
    assert sorted(row.location for row in letters) == sorted(
        f"{dropped.path}:line {n}" for n in dropped.bad
    )
    for db in ("crossdock.db", "bus.db"):
        con = sqlite3.connect(data / db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)], db
        finally:
            con.close()
