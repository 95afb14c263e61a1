"""Two workers at once on one database (SQLite, and PostgreSQL in its own database) open no
duplicate task and send no notification twice, though each sees every event."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from hub.database import connect
from hub.routing.dispatcher import Dispatcher
from hub.routing.loader import load_engine
from hub.routing.router import Router, create_tables
from hub.routing.targets import MemoryTarget
from hub.routing.tasks import list_tasks, task_detail
from tests.routing.conftest import FAST, Clock, memory_targets
from tests.routing.events import count, dead_letter_event
from tests.routing.scenario import T0, morning_events
from tests.services import fresh_postgres_database

_ALL = ["pending", "held", "open", "escalated", "acknowledged", "resolved"]


def _day() -> list[dict[str, Any]]:
    events = morning_events()
    # the same exceptions again under new event ids (a re-sent count file): same lines
    events += [count("S001", sku, 5, 10, T0) for sku in ("SKU-A", "SKU-B", "SKU-C")]
    events += [dead_letter_event(i, "pos-s002", "S002", i, T0) for i in range(1, 8)]
    return events


def _run(url: str) -> tuple[Any, dict[str, MemoryTarget]]:
    setup = connect(url)
    create_tables(setup)
    setup.dispose()
    clock = Clock()
    targets = memory_targets()
    events = _day()
    workers = []
    for _ in range(2):
        router = Router(connect(url, create=False), load_engine(), clock=clock, create=False)
        workers.append((router, Dispatcher(router, target_overrides=targets, policy=FAST)))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2, timeout=30)

    def work(i: int, phase: str) -> None:
        router, dispatcher = workers[i]
        try:
            barrier.wait()
            if phase == "route":
                for event in events if i == 0 else reversed(events):
                    router.route(event)
            else:
                dispatcher.tick()
        except BaseException as exc:
            errors.append(exc)

    for phase in ("route", "tick"):
        threads = [threading.Thread(target=work, args=(i, phase)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        clock.advance(minutes=11)
    workers[1][0].db.dispose()
    return workers[0][0].db, targets


def _check(db: Any, targets: dict[str, MemoryTarget]) -> None:
    tasks = list_tasks(db, states=_ALL, limit=1000)
    by_rule = Counter(t["rule_id"] for t in tasks)
    assert by_rule == {
        "stock-variance-recount": 2,  # S001 and S002
        "stock-variance-district": 2,
        "connector-dead-letter-burst": 1,
        "invoice-mismatch": 1,
        "return-anomaly": 2,
    }
    assert len({t["group_key"] for t in tasks}) == len(tasks)
    [s001] = [
        t
        for t in tasks
        if t["rule_id"] == "stock-variance-recount" and t["labels"]["store"] == "S001"
    ]
    detail = task_detail(db, s001["id"])
    assert len(detail["lines"]) == 4
    # SKU-A, B, C came twice (two event ids), each seen once: the bus duplicates are dropped
    assert sorted(line["occurrences"] for line in detail["lines"]) == [1, 2, 2, 2]
    [burst] = [t for t in tasks if t["rule_id"] == "connector-dead-letter-burst"]
    assert len(task_detail(db, burst["id"])["lines"]) == 3  # dead letters 5, 6 and 7
    sent = Counter((name, n.task_id, n.purpose) for name, t in targets.items() for n in t.sent)
    assert sent
    assert max(sent.values()) == 1, [k for k, v in sent.items() if v > 1]
    assert len(targets["store-ops"].sent) == 1  # S001; S002 is held back
    assert len(targets["loss-prevention"].sent) == 2


def test_two_workers_on_sqlite_open_no_duplicate_task(tmp_path: Any) -> None:
    db, targets = _run(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        _check(db, targets)
    finally:
        db.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.mark.postgres
def test_two_workers_on_postgresql_open_no_duplicate_task(postgres_url: str) -> None:
    db, targets = _run(postgres_url)
    try:
        _check(db, targets)
    finally:
        db.dispose()
