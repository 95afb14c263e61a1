"""Which reservations the SQLite bus hands back, and which it leaves alone."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.bus.sqlite_options import SqliteBusOptions
from hub.bus.sqlite_owners import OwnerIdentity, reclaim_dead_owners, register_owner
from hub.bus.sqlite_store import open_database

ME = "me"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = open_database(str(tmp_path / "bus.db"), SqliteBusOptions())
    yield conn
    conn.close()


def reserve(db: sqlite3.Connection, owner: str) -> None:
    db.execute(
        "INSERT INTO bus_message (queue, priority, envelope, body, owner)"
        " VALUES ('q', 0, '{}', x'00', ?)",
        (owner,),
    )


def reserved_by(db: sqlite3.Connection, owner: str) -> int:
    row = db.execute("SELECT count(*) FROM bus_message WHERE owner = ?", (owner,)).fetchone()
    return int(row[0])


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_live_owner_keeps_its_reservations(db: sqlite3.Connection) -> None:
    alive = OwnerIdentity.for_this_process()
    register_owner(db, alive, time.time())
    reserve(db, alive.token)
    assert reclaim_dead_owners(db, ME, visibility_timeout=3600) == 0
    assert reserved_by(db, alive.token) == 1


def test_owner_whose_process_is_gone_loses_its_reservations(db: sqlite3.Connection) -> None:
    me = OwnerIdentity.for_this_process()
    gone = OwnerIdentity("gone", me.host, dead_pid(), "12345")
    register_owner(db, gone, time.time())
    reserve(db, "gone")
    reserve(db, "gone")
    assert reclaim_dead_owners(db, ME, visibility_timeout=3600) == 2
    ready = "SELECT count(*) FROM bus_message WHERE owner IS NULL AND redelivered = 1"
    assert db.execute(ready).fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM bus_owner WHERE token = 'gone'").fetchone()[0] == 0


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc for start times")
def test_reused_pid_is_recognised_by_its_start_time(db: sqlite3.Connection) -> None:
    me = OwnerIdentity.for_this_process()
    impostor = OwnerIdentity("old", me.host, me.pid, "not-our-start-time")
    register_owner(db, impostor, time.time())
    reserve(db, "old")
    assert reclaim_dead_owners(db, ME, visibility_timeout=3600) == 1


def test_owner_on_another_host_is_judged_by_its_heartbeat_only(db: sqlite3.Connection) -> None:
    register_owner(db, OwnerIdentity("fresh", "elsewhere", 1, "1"), time.time())
    register_owner(db, OwnerIdentity("stale", "elsewhere", 1, "1"), time.time() - 120)
    reserve(db, "fresh")
    reserve(db, "stale")
    assert reclaim_dead_owners(db, ME, visibility_timeout=60) == 1
    assert reserved_by(db, "fresh") == 1
    assert reserved_by(db, "stale") == 0


def test_reservation_without_an_owner_row_is_reclaimed(db: sqlite3.Connection) -> None:
    reserve(db, "orphan")
    assert reclaim_dead_owners(db, ME, visibility_timeout=0) == 1


def test_own_reservations_are_never_reclaimed(db: sqlite3.Connection) -> None:
    reserve(db, ME)
    assert reclaim_dead_owners(db, ME, visibility_timeout=0) == 0
    assert reserved_by(db, ME) == 1
