"""Ops console: list, filter and count latency with a million dead letters; redrive rate.

Latency is measured through the functions the API calls (``list_letters``, ``count_groups``,
``overview``), p95 of repeated queries with varied filters and cursors, on SQLite and on a
fresh PostgreSQL database (dropped afterwards). The letters are bulk-loaded first (COPY on
PostgreSQL, one ``executemany`` on SQLite) into a database at r0004 whose dead-letter table
was made as before the migrations owned it, then migrated to the head (r0005 adopts it:
indexes, tallies, triggers, text search): "indexed in" is that upgrade.

The redrive rate moves replayable letters with :func:`hub.ops.redrive.run_redrive` to the
embedded bus and, when it answers, to RabbitMQ: each batch confirmed, then marked.

Environment: ``CROSSDOCK_BENCH_DLQ_ROWS`` (default 1,000,000),
``CROSSDOCK_BENCH_REDRIVE_ROWS`` (default 20,000).
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

__all__ = ["run"]

ROWS = int(os.environ.get("CROSSDOCK_BENCH_DLQ_ROWS", "1000000"))
REDRIVE_ROWS = int(os.environ.get("CROSSDOCK_BENCH_REDRIVE_ROWS", "20000"))
POSTGRES = os.environ.get(
    "CROSSDOCK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
AMQP = os.environ.get("CROSSDOCK_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
GOAL_MS = 50.0
GOAL_RATE = 2000.0
REPEATS = 40

CONNECTORS = ["stock-count", "pos-returns", "edi-850", "web-orders", "wms-asn"]
STAGES = ["decode", "mapping", "validation", "delivery"]
ERRORS = [
    "mappings._errors.MappingError",
    "pydantic_core._pydantic_core.ValidationError",
    "connectors.errors.RecordError",
    "connectors.errors.MissingColumnError",
    "hub.errors.BrokerUnavailable",
    "TimeoutError",
]
TYPES = ["retail.inventory.adjusted", "retail.order.created", "retail.return.authorized"]
STATUSES = ["open"] * 16 + ["replayed"] * 3 + ["discarded"]
HEADER = ["store_id", "sku", "gtin", "counted_qty", "system_qty", "counted_at", "counter"]
COLUMNS = [
    "key", "connector", "source", "location", "stage", "error_class", "failure_type", "reason",
    "content_type", "payload", "context", "mapping_id", "mapping_version", "event_type",
    "attempts", "first_failed_at", "last_failed_at", "status", "history",
]  # fmt: skip


def _up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _rows(n: int, *, replayable: bool = False, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """``n`` dead letters as column tuples: a realistic spread of origins, errors and ages."""
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    context = json.dumps({"names": HEADER})
    for i in range(n):
        at = now - timedelta(seconds=rnd.randint(0, 30 * 86400))
        sku = f"SKU-{rnd.randint(0, 10**7):07d}"
        qty = str(rnd.randint(0, 99)) if replayable else rnd.choice(["twelve", "1,5", "", "n/a"])
        payload = f"0142,{sku},,{qty},4,2026-11-20T06:05:00Z,m.lopez\n".encode()
        yield (
            uuid.UUID(int=rnd.getrandbits(128)).hex + f"{i:032x}"[-32:],
            "stock-count" if replayable else rnd.choice(CONNECTORS),
            f"crossdock:file/count-{i // 1000}.csv",
            f"/data/inbox/count-{i // 1000}.csv:line {i % 1000 + 2}",
            "delivery" if replayable else rnd.choice(STAGES),
            "hub.errors.BrokerUnavailable" if replayable else rnd.choice(ERRORS),
            "transient" if replayable else "data",
            f"mapping csv.stock-count@1: field counted_quantity.value from counted_qty="
            f"{qty!r}: not a decimal number ({sku})",
            "text/csv",
            payload,
            context,
            "csv.stock-count",
            1,
            "retail.inventory.adjusted" if replayable else rnd.choice(TYPES),
            1,
            at,
            at,
            "open" if replayable else rnd.choice(STATUSES),
            "[]",
        )


def _load(engine: Engine, n: int, *, replayable: bool = False) -> float:
    """Bulk-load ``n`` letters; seconds taken.

    On a database at r0004 the table is made here as ``create_all`` made it before the
    migrations owned it, so the upgrade after the load times adopting a full database.
    """
    from hub.deadletter.model import DeadLetterRow

    DeadLetterRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            # a bulk load of a scratch database: no fsync per page, as a restore would do
            cur.execute("PRAGMA synchronous=OFF")
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY dead_letters ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in _rows(n, replayable=replayable):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(COLUMNS))
            sql = f"INSERT INTO dead_letters ({', '.join(COLUMNS)}) VALUES ({marks})"
            rows = _rows(n, replayable=replayable)
            while chunk := [r for _, r in zip(range(50_000), rows, strict=False)]:
                cur.executemany(
                    sql,
                    [
                        (
                            *r[:15],
                            r[15].isoformat(sep=" ")[:26],
                            r[16].isoformat(sep=" ")[:26],
                            *r[17:],
                        )
                        for r in chunk
                    ],
                )
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000 if len(samples) > 1 else samples[0] * 1000


def _time(fn: Callable[[int], object], repeats: int = REPEATS) -> float:
    fn(0)  # warm: plans cached, pages in memory, as on a console in use
    samples = []
    for i in range(repeats):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return _p95(samples)


def _latencies(engine: Engine, n: int) -> dict[str, float]:
    """p95 (ms) of the console's queries on ``engine`` holding ``n`` letters."""
    from hub.ops.arrivals import hourly_arrivals
    from hub.ops.filters import DeadLetterFilter
    from hub.ops.views import count_groups, list_letters, overview

    rnd = random.Random(11)
    now = datetime.now(UTC)
    cursors = [rnd.randint(1, n) for _ in range(REPEATS + 1)]
    with engine.connect() as conn:
        # SKUs that occur in one or two reasons among n: the index must find them, not a scan
        rare = [
            str(conn.execute(text(f"SELECT reason FROM dead_letters WHERE id = {c}")).scalar())
            .rsplit("(", 1)[-1]
            .rstrip(")")
            for c in cursors[:10]
        ]
    return {
        "list newest page": _time(lambda i: list_letters(engine, DeadLetterFilter())),
        "list deep page (cursor)": _time(
            lambda i: list_letters(engine, DeadLetterFilter(), before=cursors[i])
        ),
        "filter connector+stage": _time(
            lambda i: list_letters(
                engine,
                DeadLetterFilter(connector=CONNECTORS[i % 5], stage=STAGES[i % 4]),
                before=cursors[i],
            )
        ),
        "filter error class": _time(
            lambda i: list_letters(engine, DeadLetterFilter(error_class=ERRORS[i % 6]))
        ),
        "filter event type": _time(
            lambda i: list_letters(engine, DeadLetterFilter(event_type=TYPES[i % 3]))
        ),
        "filter last 24 h": _time(
            lambda i: list_letters(engine, DeadLetterFilter(since=now - timedelta(days=1)))
        ),
        "filter common text in reason": _time(
            lambda i: list_letters(engine, DeadLetterFilter(text="not a decimal"))
        ),
        "filter rare text in reason": _time(
            lambda i: list_letters(engine, DeadLetterFilter(text=rare[i % len(rare)]))
        ),
        "count by connector×stage×error": _time(lambda i: count_groups(engine, DeadLetterFilter())),
        "count, one connector": _time(
            lambda i: count_groups(engine, DeadLetterFilter(connector=CONNECTORS[i % 5]))
        ),
        "overview (depth, oldest age)": _time(lambda i: overview(engine)),
        "week's trend (new per hour per connector)": _time(lambda i: hourly_arrivals(engine)),
    }


def _latency_on(url: str, n: int) -> dict[str, float]:
    from hub.migrations import upgrade
    from hub.storage import engine_for

    engine = engine_for(url)
    try:
        upgrade(engine, "r0004")  # the registry's tables: the hub's came by create_all then
        load_s = _load(engine, n)
        started = time.perf_counter()
        upgrade(engine)  # r0005 adopts the table: ops indexes, tallies, triggers, text search
        prepare_s = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE dead_letters"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        result = _latencies(engine, n)
        result["_load_s"] = load_s
        result["_prepare_s"] = prepare_s
        return result
    finally:
        engine.dispose()


@contextmanager
def _postgres_database() -> Iterator[str]:
    base = make_url(POSTGRES)
    name = f"cd_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _redrive_rate(bus_url: str | None, n: int) -> float:
    """Letters per second a redrive moves (published, confirmed, marked) to ``bus_url``."""
    from hub.bus.publisher import ConfirmedPublisher
    from hub.config import Settings
    from hub.database import connect
    from hub.ops.filters import DeadLetterFilter
    from hub.ops.redrive import run_redrive, start_redrive
    from hub.ops.service import open_ops

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), bus_url=bus_url)
        engine = connect(settings.resolved_database_url)
        _load(engine, n, replayable=True)
        ops = open_ops(engine, settings, mapping_dirs=[])
        task = start_redrive(engine, DeadLetterFilter(stage="delivery"), actor="bench")
        with ConfirmedPublisher(settings.resolved_bus_url) as publisher:
            started = time.perf_counter()
            done = run_redrive(task.id, ops.replayer(publisher))
            seconds = time.perf_counter() - started
        engine.dispose()
        if done.moved != n:
            raise AssertionError(f"redrive moved {done.moved} of {n}: {done.error}")
        if bus_url is None:
            return n / seconds
        # RabbitMQ: leave no stray queue behind (the events exchange has no queue of ours)
        return n / seconds


def run() -> list[tuple[str, str, str, str]]:
    """Rows of (what, measured, reference, verdict) for BENCHMARKS.md."""
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    backends: list[tuple[str, Callable[[], dict[str, float]]]] = []

    def sqlite_run() -> dict[str, float]:
        with tempfile.TemporaryDirectory() as tmp:
            return _latency_on(f"sqlite:///{Path(tmp) / 'dlq.db'}", ROWS)

    def postgres_run() -> dict[str, float]:
        with _postgres_database() as url:
            return _latency_on(url, ROWS)

    backends.append(("SQLite", sqlite_run))
    if _up(5432):
        backends.append(("PostgreSQL", postgres_run))
    for name, measure in backends:
        print(f"ops: {ROWS:,} dead letters on {name} …", file=sys.stderr, flush=True)
        result = measure()
        load = (
            f"loaded in {result.pop('_load_s'):.0f} s, indexed in {result.pop('_prepare_s'):.0f} s"
        )
        for what, p95 in result.items():
            rows.append(
                (
                    f"Dead letters {what}, {name}, {ROWS:,} stored (goal p95 < {GOAL_MS:.0f} ms)",
                    f"p95 {p95:.1f} ms",
                    load,
                    verdict(p95 < GOAL_MS),
                )
            )
    targets: list[tuple[str, str | None]] = [("embedded bus", None)]
    if _up(5672):
        targets.append(("RabbitMQ", AMQP))
    for name, url in targets:
        print(f"ops: redrive {REDRIVE_ROWS:,} letters to {name} …", file=sys.stderr, flush=True)
        rate = _redrive_rate(url, REDRIVE_ROWS)
        rows.append(
            (
                f"Bulk redrive to {name}, confirmed then marked (goal ≥ {GOAL_RATE:,.0f}/s)",
                f"{rate:,.0f} letters/s",
                "AWS SQS redrive: 500 messages/s",
                verdict(rate >= GOAL_RATE),
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
