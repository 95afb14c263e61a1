"""The chaos cases of issue 16: a stock-count file with known bad lines through ``crossdock run``
(a real subprocess) on private RabbitMQ + PostgreSQL servers, under kills, outages, a full disk
and several hubs; an independent consumer bound before each run counts what reached the bus.

Used by ``tests/chaos/test_chaos.py`` (short) and ``python -m tests.chaos`` (``make chaos``).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text

from canonical import make_event_id
from hub.bus.connection import open_connection
from hub.bus.consumer import EventConsumer
from hub.bus.topology import event_queue, events_exchange
from hub.checkpoints import load_checkpoint
from hub.config import Settings
from hub.database import connect
from hub.deadletter import DeadLetterService
from hub.dedup import claim_events
from hub.file_source import document_key
from hub.reconcile import Reconciler
from tests.private_services import PrivatePostgres, PrivateRabbitMQ, free_port

__all__ = ["CaseResult", "ChaosRig", "Dropped", "Sizes", "write_file"]

HEADER = "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
REF = "csv.stock-count@1"


@dataclass(frozen=True)
class Sizes:
    """How big the files are and how long the outages last (short for CI, long for the table)."""

    rows: int
    bad_every: int  # a prime, so bad lines fall in different chunks
    short_outage: float
    long_outage: float | None
    kills: int = 5
    hubs: int = 3
    files: int = 6
    #: rows per chunk (a checkpoint per chunk); None: the hub's default (10,000)
    chunk: int | None = None


@dataclass
class CaseResult:
    """One row of the table."""

    case: str
    records: int = 0
    expected: int = 0
    distinct: int = 0
    delivered: int = 0
    foreign: int = 0  # distinct ids that are no event of the file: a duplicate under a new id
    dead_letters: int = 0
    expected_dead_letters: int = 0
    recovered_without_restart: str = "n/a"
    #: kills that found the file read past 10 % and not finished
    landed: int = 0
    #: files that ``crossdock reconcile`` balances / files dropped
    reconciled: int = 0
    files: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.delivered - self.distinct

    @property
    def lost(self) -> int:
        return self.expected - (self.distinct - self.foreign)

    @property
    def balanced(self) -> bool:
        """Whether every file dropped reconciles (:mod:`hub.reconcile`)."""
        return self.reconciled == self.files

    def row(self) -> str:
        dl = f"{self.dead_letters}/{self.expected_dead_letters}"
        return (
            f"| {self.case} | {self.records:,} | {self.distinct:,} | {self.duplicates:,} | {dl} "
            f"| {self.lost:,} | {self.recovered_without_restart} "
            f"| {self.reconciled}/{self.files} | {self.seconds:.0f} | {'; '.join(self.notes)} |"
        )


@dataclass(frozen=True)
class Dropped:
    """A file put in the inbox: its bad line numbers (header = line 1) and its events' ids."""

    path: Path
    rows: int
    bad: frozenset[int]
    ids: frozenset[str]
    #: its document key (the checkpoint's)
    key: str
    size: int


def write_file(path: Path, rows: int, bad_every: int, tag: str) -> Dropped:
    """A stock-count CSV whose every ``bad_every``-th row has a non-numeric quantity."""
    path.parent.mkdir(parents=True, exist_ok=True)
    bad: set[int] = set()
    # written beside the inbox under its own name (the event ids hash the name), then moved in
    tmp = path.parent.parent / "staging" / path.name
    tmp.parent.mkdir(exist_ok=True)
    with tmp.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            qty = str(i % 50)
            if i and i % bad_every == 0:
                qty = "x"
                bad.add(i + 2)
            out.write(f"{1000 + i % 40},SKU-{tag}-{i:06d},,{qty},{i % 47},2026-11-20T06:00:00Z,c\n")
    key = document_key(tmp)
    doc_id = key.rsplit(":", 1)[1]
    ids = {make_event_id(doc_id, str(n), REF) for n in range(2, rows + 2) if n not in bad}
    size = tmp.stat().st_size
    tmp.rename(path)  # the hub sees the file whole
    return Dropped(path, rows, frozenset(bad), frozenset(ids), key, size)


def _wait_for(predicate: Callable[[], bool], seconds: float, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return False


class ChaosRig:
    """The private servers and a scratch folder; each case gets a database and an exchange."""

    def __init__(self, pg: PrivatePostgres, rmq: PrivateRabbitMQ, root: Path) -> None:
        self.pg = pg
        self.rmq = rmq
        self.root = root

    # -- one case's world ------------------------------------------------------------------

    @contextmanager
    def world(self, name: str, sizes: Sizes | None = None) -> Iterator[_World]:
        db = f"chaos_{uuid.uuid4().hex[:10]}"
        admin = create_engine(self.pg.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        admin.dispose()
        url = make_url(self.pg.url).set(database=db).render_as_string(hide_password=False)
        exchange = f"crossdock.chaos.{uuid.uuid4().hex[:8]}"
        folder = self.root / name
        folder.mkdir(parents=True)
        counter = EventConsumer(
            self.rmq.url, event_queue(f"{exchange}.count", ["#"], events_exchange(exchange))
        )
        counter.declare()  # bound before any run: it sees every event published
        world = _World(self, folder, url, exchange, counter)
        if sizes is not None and sizes.chunk is not None:
            world.config = folder / "crossdock.yaml"
            world.config.write_text(f"chunk_size: {sizes.chunk}\n", encoding="utf-8")
        try:
            yield world
        finally:
            world.dispose()

    # -- the cases -------------------------------------------------------------------------

    def sigkill(self, sizes: Sizes, seed: int = 16) -> CaseResult:
        rng = random.Random(seed)
        with self.world("sigkill", sizes) as w:
            result = w.result(f"SIGKILL x{sizes.kills}, restart")
            f = w.drop("count.csv", sizes)
            landed: list[str] = []
            for k in range(sizes.kills):
                # each kill when the file's checkpoint has passed a random point of its own
                # slice of 10-90 % (the k-th of `kills`), a moment later: mid-chunk, mid-file
                target = 0.1 + 0.8 * (k + rng.random()) / sizes.kills
                hub = w.start_hub()

                def passed(hub: subprocess.Popen[bytes] = hub, target: float = target) -> bool:
                    return (
                        hub.poll() is not None or not f.path.exists() or (w.checkpoint(f) >= target)
                    )

                # polled often: a chunk of the short (CI) file takes some 20 ms
                _wait_for(passed, 120, poll=0.01)
                time.sleep(rng.uniform(0.0, 0.05))
                hub.send_signal(signal.SIGKILL)
                hub.wait()
                reached = w.checkpoint(f)
                if f.path.exists() and 0.1 <= reached < 1.0:
                    landed.append(f"{reached:.0%}")
            hub = w.start_hub()
            w.finish([hub], [f.path], 600, result)
            result.recovered_without_restart = "n/a (restarted)"
            result.landed = len(landed)
            result.notes.append(
                f"{len(landed)} of {sizes.kills} kills landed mid-file (checkpoint at "
                f"{', '.join(landed) or '-'} of the file's bytes)"
            )
            w.count([f], result)
        return result

    def outage(self, what: str, seconds: float, sizes: Sizes) -> CaseResult:
        server = self.rmq if what == "broker" else self.pg
        with self.world(f"{what}-{seconds:g}", sizes) as w:
            result = w.result(f"{what} stopped {seconds:g} s")
            hub = w.start_hub()
            f = w.drop("count.csv", sizes)
            path = f.path
            w.wait_progress(hub, 60)
            server.stop()
            try:
                time.sleep(seconds)
            finally:
                server.start()
            alive = hub.poll() is None
            done = w.finish([hub], [path], 300, result)
            result.recovered_without_restart = "yes" if alive and done else "no"
            if not (alive and done):
                result.notes.append(f"hub exited {hub.returncode}: {w.last_error()}")
                hub = w.start_hub()  # what an operator does: start it again, count what it got
                w.finish([hub], [path], 300, result)
            w.count([f], result)
        return result

    def full_disk(self, sizes: Sizes) -> CaseResult:
        with self.world("full-disk", sizes) as w:
            result = w.result("full disk under the data folder")
            w.data.mkdir(parents=True)
            mounted = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(w.data)],
                capture_output=True,
                text=True,
                check=False,
            )
            if mounted.returncode != 0:
                result.recovered_without_restart = "skipped"
                result.notes.append(f"mount not permitted: {mounted.stderr.strip()}")
                return result
            try:
                hub = w.start_hub()
                _wait_for(lambda: w.api_answers() or hub.poll() is not None, 120)
                filler = w.data / "filler"
                # fill it: every write under the data folder now fails with ENOSPC
                subprocess.run(
                    ["dd", "if=/dev/zero", f"of={filler}", "bs=64k"],
                    capture_output=True,
                    check=False,
                )
                f = w.drop("count.csv", sizes)
                path = f.path
                time.sleep(5)
                full_alive = hub.poll() is None
                filler.unlink()
                done = w.finish([hub], [path], 300, result)
                result.recovered_without_restart = "yes" if full_alive and done else "no"
                if not (full_alive and done):
                    result.notes.append(f"hub exited {hub.returncode}: {w.last_error()}")
                    hub = w.start_hub()
                    w.finish([hub], [path], 300, result)
                w.stop_all()
            finally:
                subprocess.run(["umount", "-l", str(w.data)], check=False)
            w.count([f], result)
        return result

    def many_hubs(self, sizes: Sizes, seed: int = 16) -> CaseResult:
        rng = random.Random(seed)
        with self.world("many-hubs", sizes) as w:
            result = w.result(f"{sizes.hubs} hubs, one inbox, one killed")
            # the files first, then the hubs together: each of them finds every file waiting
            files = [w.drop(f"count{n}.csv", sizes) for n in range(sizes.files)]
            hubs = [w.start_hub(data=w.folder / f"data{n}") for n in range(sizes.hubs)]
            w.wait_progress(hubs[0], 60)
            time.sleep(rng.uniform(0.0, 2.0))
            victim = hubs[0]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            survivors = hubs[1:]
            w.finish(survivors, [f.path for f in files], 600, result)
            crashed = [h.returncode for h in survivors if h.returncode not in (None, 130)]
            result.recovered_without_restart = "yes" if not crashed else "no"
            if crashed:
                result.notes.append(f"a surviving hub exited {crashed}: {w.last_error()}")
            w.count(files, result)
        return result


@dataclass
class _World:
    rig: ChaosRig
    folder: Path
    database_url: str
    exchange: str
    counter: EventConsumer
    hubs: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    api_port: int = 0
    #: a crossdock.yaml for the hubs (the chunk size), or None
    config: Path | None = None
    _engine: Engine | None = None

    def checkpoint(self, f: Dropped) -> float:
        """How far the file's checkpoint is, as a fraction of its bytes (1.0 once done)."""
        if self._engine is None:
            self._engine = connect(self.database_url)
        try:
            with self._engine.connect() as conn:
                saved = load_checkpoint(conn, f.key)
        except Exception:  # the schema is not there before the first hub made it
            return 0.0
        if saved is None:
            return 0.0
        return 1.0 if saved.done else saved.offset / f.size

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @property
    def inbox(self) -> Path:
        return self.folder / "inbox"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def result(self, case: str) -> CaseResult:
        return CaseResult(case)

    def drop(self, name: str, sizes: Sizes) -> Dropped:
        path = self.inbox / name
        return write_file(path, sizes.rows, sizes.bad_every, path.stem)

    def start_hub(self, data: Path | None = None) -> subprocess.Popen[bytes]:
        self.inbox.mkdir(parents=True, exist_ok=True)
        (data or self.data).mkdir(parents=True, exist_ok=True)
        self.api_port = free_port()
        log = self.folder / f"hub{len(self.hubs)}.log"
        env = {**os.environ, "CROSSDOCK_EXCHANGE": self.exchange}
        with log.open("wb") as err:
            proc = subprocess.Popen(
                # routing is not under test here, and would route every variance of the file
                [sys.executable, "-m", "hub.cli", "run", "--no-routing", "--poll", "0.2",
                 "--inbox", str(self.inbox), "--data-dir", str(data or self.data),
                 "--api-port", str(self.api_port), "--bus-url", self.rig.rmq.url,
                 "--database-url", self.database_url,
                 *(["--config", str(self.config)] if self.config else [])],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
            )  # fmt: skip
        self.hubs.append((proc, log))
        return proc

    def api_answers(self) -> bool:
        import httpx  # only the full-disk case asks the API

        try:
            url = f"http://127.0.0.1:{self.api_port}/healthz"
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def queued(self) -> int:
        conn = open_connection(self.rig.rmq.url)
        try:
            declared = self.counter.queue(conn.channel()).queue_declare(passive=True)
            return int(declared.message_count)
        except Exception:  # the broker may be the very thing stopped: count nothing yet
            return 0
        finally:
            conn.release()

    def wait_progress(self, hub: subprocess.Popen[bytes], seconds: float) -> None:
        """Until the first events of this run reached the bus (the hub is mid-file)."""
        before = self.queued()
        _wait_for(lambda: hub.poll() is not None or self.queued() > before, seconds)

    def finish(
        self,
        hubs: list[subprocess.Popen[bytes]],
        paths: list[Path],
        seconds: float,
        result: CaseResult,
    ) -> bool:
        """Wait until every file left the inbox (done or failed) or every hub ended; stop them."""
        done = _wait_for(
            lambda: not any(p.exists() for p in paths) or all(h.poll() is not None for h in hubs),
            seconds,
        )
        done = done and not any(p.exists() for p in paths)
        failed = [p.name for p in paths if (p.parent / "failed" / p.name).exists()]
        if failed:
            # refused whole: kept in failed/ with a dead letter, but none of its events went out
            result.notes.append(f"moved to failed/: {', '.join(failed)}")
            done = False
        if not done:
            left = sum(p.exists() for p in paths)
            result.notes.append(f"{left} file(s) left in the inbox (hubs ended or {seconds:g} s)")
        for hub in hubs:
            if hub.poll() is None:
                hub.send_signal(signal.SIGINT)
        for hub in hubs:
            try:
                hub.wait(timeout=60)
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait()
        return done

    def stop_all(self) -> None:
        for hub, _ in self.hubs:
            if hub.poll() is None:
                hub.kill()
                hub.wait()

    def last_error(self) -> str:
        for _, log in reversed(self.hubs):
            lines = [x for x in log.read_text(errors="replace").splitlines() if x.strip()]
            if lines:
                return lines[-1][:200]
        return "(no output)"

    def reconcile(self, engine: Engine, files: list[Dropped], result: CaseResult) -> None:
        """``crossdock reconcile``'s verdict on every file: records read = distinct events
        confirmed + dead letters (+ in flight: none, the hubs have stopped)."""
        settings = Settings(
            inbox=self.inbox,
            data_dir=self.data,
            database_url=self.database_url,
            bus_url=self.rig.rmq.url,
        )
        balances = Reconciler(engine, settings).since(None)
        result.files = len(files)
        names = {f.path.name for f in files}
        result.reconciled = sum(b.balanced for b in balances if b.name in names)
        for b in balances:
            if not b.balanced:
                gaps = "; ".join(f"{g.where or '?'}: {g.why}" for g in b.gaps)
                result.notes.append(f"reconcile {b.name}: {gaps[:300]}")
        missing = names - {b.name for b in balances}
        if missing:
            result.notes.append(f"reconcile found no checkpoint of {', '.join(sorted(missing))}")

    def count(self, files: list[Dropped], result: CaseResult) -> None:
        """Drain the independent queue through ``claim_events``: distinct ids, copies, gaps."""
        self.stop_all()
        expected: set[str] = set()
        for f in files:
            expected |= f.ids
            result.records += f.rows
            result.expected_dead_letters += len(f.bad)
        result.expected = len(expected)
        engine = connect(self.database_url)
        seen: set[str] = set()

        def handle(events: list[dict[str, Any]]) -> None:
            result.delivered += len(events)
            with engine.begin() as conn:
                seen.update(claim_events(conn, "chaos-counter", [e["id"] for e in events]))

        self.counter.drain(handle, idle_timeout=3.0)
        result.distinct = len(seen)
        result.foreign = len(seen - expected)
        result.dead_letters = DeadLetterService(engine).count(status=None)
        self.reconcile(engine, files, result)
        engine.dispose()
        result.seconds = time.monotonic() - self.started
        if result.lost:
            result.notes.append(f"hub said: {self.last_error()}")
        conn = open_connection(self.rig.rmq.url)
        try:
            self.counter.queue(conn.channel()).delete()
        finally:
            conn.release()
        shutil.rmtree(self.folder, ignore_errors=True)
