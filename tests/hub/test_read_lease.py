"""One reader per source instance: the read lease, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from hub.cli.app import app
from hub.config import load_settings
from hub.database import connect
from hub.errors import SourceBusy
from hub.read_lease import ReadLease
from hub.retry import DEFAULT_TABLE
from tests.connectors.rest.peer import build_peer, write_link_config
from tests.connectors.rest.server import serve
from tests.services import fresh_postgres_database

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        built = connect(f"sqlite:///{tmp_path / 'hub.db'}")
        yield built
        built.dispose()
        return
    with fresh_postgres_database() as url:
        built = connect(url)
        yield built
        built.dispose()


def test_a_second_reader_is_refused_until_the_first_is_done(engine: Engine) -> None:
    first = ReadLease(engine, "erp")
    second = ReadLease(engine, "erp")
    with first:
        with pytest.raises(SourceBusy, match=r"'erp' is being read by .*:\d+:[0-9a-f]{8}") as busy:
            second.acquire()
        assert busy.value.holder == first.holder
        # another instance is another lease
        with ReadLease(engine, "sftp"):
            pass
    second.acquire()
    second.release()


def test_a_busy_source_is_decided_as_retry() -> None:
    decision = DEFAULT_TABLE.decide(SourceBusy("erp", "host:1:abcdef01", "2026-12-05 07:00:00"))
    assert str(decision.action) == "retry"


def test_a_dead_readers_lease_expires_and_is_taken_over(engine: Engine) -> None:
    dead = ReadLease(engine, "erp", ttl=0.3)
    dead.acquire()  # and never renewed, as when its process was killed
    with pytest.raises(SourceBusy):
        ReadLease(engine, "erp").acquire()
    time.sleep(0.5)
    with ReadLease(engine, "erp"):
        assert not dead.renew()  # the lease is someone else's now
        dead.release()  # which a late release leaves alone
        with pytest.raises(SourceBusy):
            ReadLease(engine, "erp").acquire()


def test_a_live_reader_keeps_its_lease_past_the_ttl(engine: Engine) -> None:
    with ReadLease(engine, "erp", ttl=1.0):
        time.sleep(2.5)  # past twice the ttl: renewed every third of it
        with pytest.raises(SourceBusy):
            ReadLease(engine, "erp").acquire()


def test_racing_readers_get_exactly_one_lease(engine: Engine) -> None:
    leases = [ReadLease(engine, "race") for _ in range(6)]
    start = threading.Barrier(len(leases))
    won: list[str] = []
    refused: list[str] = []

    def contend(lease: ReadLease) -> None:
        start.wait()
        try:
            lease.acquire()
        except SourceBusy:
            refused.append(lease.holder)
        else:
            won.append(lease.holder)

    threads = [threading.Thread(target=contend, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(won) == 1
    assert len(refused) == len(leases) - 1


def test_connector_read_leaves_a_source_being_read_to_its_reader(tmp_path: Path) -> None:
    peer_app, state = build_peer()
    with serve(peer_app) as url:
        config = write_link_config(tmp_path, url)
        engine = connect(load_settings(config).resolved_database_url)
        try:
            with ReadLease(engine, "partner") as held:
                busy = runner.invoke(app, ["connector", "read", "partner", "-c", str(config)])
            assert busy.exit_code == 1
            assert "partner failed" in busy.output
            assert f"is being read by {held.holder}" in " ".join(busy.output.split())
            assert state.hits.get("link", 0) == 0  # the peer was not asked
            free = runner.invoke(app, ["connector", "read", "partner", "-c", str(config)])
            assert free.exit_code == 0, free.output
            assert state.hits["link"] >= 1
        finally:
            engine.dispose()


def _lease_held_by(config: Path, holder: str) -> ReadLease:
    """The lease of ``partner`` taken as ``holder`` would (a reader on some host and pid)."""
    settings = load_settings(config)
    engine = connect(settings.resolved_database_url)
    lease = ReadLease(engine, "partner")
    lease.holder = holder
    lease.acquire()
    return lease


def test_unlock_releases_the_lease_of_a_reader_that_is_gone(tmp_path: Path) -> None:
    app_, _state = build_peer()
    with serve(app_) as url:
        config = write_link_config(tmp_path, url)
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        _lease_held_by(config, f"{socket.gethostname()}:{int(dead.stdout)}:deadbeef")
        blocked = runner.invoke(app, ["connector", "read", "partner", "-c", str(config)])
        assert blocked.exit_code == 1  # the killed reader's lease: two minutes to wait
        freed = runner.invoke(app, ["connector", "unlock", "partner", "-c", str(config)])
        assert freed.exit_code == 0, freed.output
        assert f"released: process {int(dead.stdout)} is gone" in freed.stdout
        read = runner.invoke(app, ["connector", "read", "partner", "-c", str(config)])
        assert read.exit_code == 0, read.output


def test_unlock_keeps_a_live_readers_lease_and_an_unchecked_hosts_unless_forced(
    tmp_path: Path,
) -> None:
    config = write_link_config(tmp_path, "http://127.0.0.1:9")
    live = _lease_held_by(config, f"{socket.gethostname()}:{os.getpid()}:cafe0001")
    kept = runner.invoke(app, ["connector", "unlock", "partner", "-c", str(config)])
    assert kept.exit_code == 1
    assert f"process {os.getpid()} on this host still reads it" in kept.stderr
    live.release()
    _lease_held_by(config, "other-host:4242:cafe0002")
    elsewhere = runner.invoke(app, ["connector", "unlock", "partner", "-c", str(config)])
    assert elsewhere.exit_code == 1
    assert "held from host other-host" in elsewhere.stderr
    forced = runner.invoke(app, ["connector", "unlock", "partner", "--force", "-c", str(config)])
    assert forced.exit_code == 0, forced.output
    assert "released by force" in forced.stdout
    again = runner.invoke(app, ["connector", "unlock", "partner", "-c", str(config)])
    assert "not locked: no reader holds it" in again.stdout
