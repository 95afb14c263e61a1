"""Routing events/s on the bulk stock-count file's events, as the routing worker gets them.

The events are the bulk benchmark's file (:func:`benchmarks.bench_bulk.write_file`) through the
one translate step, so they are exactly what ``crossdock run`` publishes: about 88 % of them are
variances the bundled rules open or join a recount task for (60 % the district rule too). They
are handed to :meth:`hub.routing.worker.RoutingWorker.handle` in messages of 1,000 events, as
the bus delivers the pipeline's batch messages, against a fresh database: the embedded SQLite
one, and PostgreSQL when ``CROSSDOCK_BENCH_POSTGRES_URL`` names a database to use (its routing
tables are dropped first). The bus itself is not timed: what is measured is routing's share.
``--validated`` routes them as the hub's pipeline does in process instead: the same messages to
``Router.route_many(..., validated=True)``, the events read, not validated again.

The events are built before the clock starts and the heap is then frozen (``gc.freeze``): a
worker holds one message at a time, and 20,000 events kept alive for the benchmark made every
full collection walk them: with the collector off, 144-153 µs CPU an event against 230-232
with it, at 20,000 events (285112f); none of that is routing's.

A context row measures the floor: :func:`floor`, a loop written by hand for these events and
the bundled stock rules alone (the variance arithmetic in Decimal, both conditions, the
classifier's history, the input digest, the line's JSON, and the claims and lines written to
SQLite with ``executemany`` in one transaction a message; no tasks, grades or audit). It is
not the hub's code and decides nothing general; it says what CPython itself costs for the
least of this work, against which the goal and the router's figure can be read.

Run: ``python -m benchmarks.bench_routing_bulk [--events N] [--postgres URL] [--validated]
[--floor]``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from benchmarks.bench_bulk import write_file
from hub.config import Settings
from hub.database import connect
from hub.declarative import Base
from hub.routing.dispatcher import Dispatcher
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.tasks import count_open
from hub.routing.worker import RoutingWorker
from hub.translate import TranslationError, translate_file

__all__ = ["bulk_events", "floor", "measure", "run"]

GOAL = 50_000
"""Events/s issue 19 asks of routing on these events."""
MESSAGE = 1000
"""Events per bus message (the pipeline's batch size)."""


def bulk_events(rows: int) -> list[dict[str, Any]]:
    """The CloudEvents the hub publishes for the first ``rows`` rows of the bulk file."""

    with tempfile.TemporaryDirectory() as tmp:
        path = write_file(Path(tmp) / "count.csv", rows)
        settings = Settings(data_dir=Path(tmp) / "data")
        return [
            orjson.loads(line)
            for line in translate_file(path, settings, connector="stock-count")
            if not isinstance(line, TranslationError)
        ]


def _fresh_postgres(url: str) -> Engine:

    db = connect(url)
    routing = [t for name, t in Base.metadata.tables.items() if name.startswith("routing_")]
    Base.metadata.drop_all(db, tables=routing)
    # the schema is at the head revision, so the router's schema check makes nothing again
    Base.metadata.create_all(db, tables=routing)
    with db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM processed_events WHERE consumer = 'routing'")
    return db


def measure(
    events: list[dict[str, Any]], database_url: str | None = None, *, validated: bool = False
) -> dict[str, float]:
    """Route ``events`` message by message on a fresh database; events/s and what it made
    (``validated``: as the pipeline routes in process, see the module's doc)."""

    with tempfile.TemporaryDirectory() as tmp:
        db = (
            _fresh_postgres(database_url)
            if database_url
            else connect(f"sqlite:///{Path(tmp) / 'hub.db'}")
        )
        try:
            router = Router(db, load_engine())
            worker = RoutingWorker(router, Dispatcher(router))
            gc.collect()
            gc.freeze()
            started = time.perf_counter()
            cpu = time.process_time()
            for i in range(0, len(events), MESSAGE):
                if validated:
                    router.route_many(events[i : i + MESSAGE], validated=True)
                else:
                    worker.handle(events[i : i + MESSAGE])
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu
            tasks = count_open(db)
        finally:
            gc.unfreeze()
            db.dispose()
    return {
        "events": len(events),
        "seconds": seconds,
        "events_per_s": len(events) / seconds,
        "cpu_us_per_event": cpu_seconds / len(events) * 1e6,
        "open_tasks": tasks,
    }


_FLOOR_SCHEMA = (
    "CREATE TABLE claims (consumer TEXT, event_id TEXT, at TEXT, PRIMARY KEY (consumer, event_id))",
    "CREATE TABLE lines (task TEXT, dedup_key TEXT, event_id TEXT, fields TEXT, value TEXT,"
    " occurrences INT, first_seen TEXT, last_seen TEXT, PRIMARY KEY (task, dedup_key))",
)


def floor(events: list[dict[str, Any]]) -> dict[str, float]:
    """CPU per event of the least work the bundled stock rules ask, written by hand (module doc)."""
    hundred, zero = Decimal(100), Decimal(0)
    history: dict[tuple[str, str], tuple[float, ...]] = {}
    now = "2026-12-07 05:00:00"
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in _FLOOR_SCHEMA:
            db.execute(statement)
        cpu = time.process_time()
        for i in range(0, len(events), MESSAGE):
            claims, lines = [], []
            for event in events[i : i + MESSAGE]:
                data = event["data"]
                claims.append(("routing", event["id"], now))
                counted_q, expected_q = data.get("counted_quantity"), data.get("expected_on_hand")
                if not counted_q or not expected_q:
                    continue
                counted, expected = Decimal(counted_q["value"]), Decimal(expected_q["value"])
                variance = counted - expected
                units = abs(variance)
                pct = (
                    units / abs(expected) * hundred if expected else (hundred if variance else zero)
                )
                if not (units >= 3 and pct >= 10):
                    continue
                store, sku = data["location_id"], data["sku"]
                key = f"{store}/{sku}"
                history[(store, sku)] = (*history.pop((store, sku), ()), float(pct))[-50:]
                digest = hashlib.sha256(
                    orjson.dumps(event, option=orjson.OPT_SORT_KEYS)
                ).hexdigest()
                fields = orjson.dumps(
                    {
                        "dedup_key": key,
                        "sku": sku,
                        "counted": str(counted),
                        "expected": str(expected),
                        "variance": str(variance),
                        "digest": digest,
                    }
                ).decode()
                value = str(units * 25)
                lines.append((f"recount/{store}", key, event["id"], fields, value, 1, now, now))
                if units >= 20 or pct >= 50:
                    lines.append(
                        (f"district/{store}", key, event["id"], fields, value, 1, now, now)
                    )
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO claims VALUES (?, ?, ?) ON CONFLICT DO NOTHING", claims)
            db.executemany(
                "INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task, dedup_key)"
                " DO UPDATE SET occurrences = occurrences + 1",
                lines,
            )
            db.execute("COMMIT")
        cpu_seconds = time.process_time() - cpu
        db.close()
    return {
        "events": len(events),
        "cpu_us_per_event": cpu_seconds / len(events) * 1e6,
        "events_per_s": len(events) / cpu_seconds,
    }


def run(rows: int = 20_000) -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, reference, verdict) for BENCHMARKS.md."""
    events = bulk_events(rows)
    out = []
    targets = [("embedded SQLite", None)]
    if os.environ.get("CROSSDOCK_BENCH_POSTGRES_URL"):
        targets.append(("PostgreSQL", os.environ["CROSSDOCK_BENCH_POSTGRES_URL"]))
    paths = [("from the bus", False), ("in process, validated", True)]
    for (name, url), (path, validated) in [(t, p) for t in targets for p in paths]:
        m = measure(events, url, validated=validated)
        out.append(
            (
                f"Routing the bulk file's events ({m['events']:,}, ~88 % variances), "
                f"{name}, {path}, messages of {MESSAGE:,} (goal ≥ {GOAL:,}/s)",
                f"{m['events_per_s']:,.0f} events/s ({m['seconds']:.1f} s, "
                f"{m['cpu_us_per_event']:.0f} µs CPU/event)",
                f"{m['open_tasks']:,} open tasks",
                "met" if m["events_per_s"] >= GOAL else "NOT met",
            )
        )
    f = floor(events)
    out.append(
        (
            "Routing floor (context): the same events through a hand-written loop of only what "
            "the bundled stock rules need (Decimal variance, both conditions, classifier history, "
            "input digest, line JSON; claims and lines by executemany into SQLite; no tasks, "
            "grades or audit), CPU only",
            f"{f['events_per_s']:,.0f} events/s ({f['cpu_us_per_event']:.1f} µs CPU/event)",
            "not the hub's code: what CPython costs for the least of this work",
            "",
        )
    )
    return out


def main() -> None:
    """Command-line entry: route the events of ``--events`` rows, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--postgres", default=None, help="SQLAlchemy URL of a scratch database")
    parser.add_argument(
        "--validated", action="store_true", help="route as the pipeline does in process"
    )
    parser.add_argument("--floor", action="store_true", help="the hand-written floor instead")
    args = parser.parse_args()
    events = bulk_events(args.events)
    if args.floor:
        print(json.dumps(floor(events)))
        return
    print(json.dumps(measure(events, args.postgres, validated=args.validated)))


if __name__ == "__main__":
    main()
