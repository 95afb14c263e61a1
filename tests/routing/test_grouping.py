"""Grouping and dedup: forty SKUs short in one count become one task with forty lines."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.database import connect
from hub.routing.audit import audit_entries
from hub.routing.dispatcher import Dispatcher
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.targets import MemoryTarget
from hub.routing.tasks import list_tasks, task_detail
from tests.routing.conftest import Clock
from tests.routing.events import count
from tests.services import hub_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Grouping on the embedded SQLite database and on PostgreSQL (its own database)."""
    with hub_database(request.param, tmp_path) as engine:
        yield engine


def test_forty_short_skus_in_one_store_become_one_task_with_forty_lines(
    router: Router, dispatcher: Dispatcher, targets: dict[str, MemoryTarget], clock: Clock
) -> None:
    for i in range(40):
        router.route(count("S002", f"SKU-{i:03}", 5, 10, clock()))
    dispatcher.tick()
    assert targets["store-ops"].sent == []  # still inside the group wait
    clock.advance(minutes=11)
    dispatcher.tick()
    tasks = list_tasks(router.db, rule="stock-variance-recount")
    assert len(tasks) == 1
    detail = task_detail(router.db, tasks[0]["id"])
    assert len(detail["lines"]) == 40
    assert detail["state"] == "open"
    [sent] = targets["store-ops"].sent
    assert len(sent.lines) == 40
    assert sent.labels == {"store": "S002"}


def test_the_same_exception_again_counts_on_its_line_and_opens_nothing_new(
    router: Router, clock: Clock
) -> None:
    first = router.route(count("S002", "SKU-1", 5, 10, clock()))
    again = router.route(count("S002", "SKU-1", 4, 10, clock()))
    assert first.opened
    assert again.joined == first.opened
    [task] = list_tasks(router.db, rule="stock-variance-recount")
    assert task["occurrences"] == 2
    [line] = task_detail(router.db, task["id"])["lines"]
    assert line["occurrences"] == 2
    assert line["fields"]["counted"] == "4"  # the latest figures win


def test_a_redelivered_event_changes_nothing(router: Router, clock: Clock) -> None:
    event = count("S002", "SKU-1", 5, 10, clock())
    router.route(event)
    outcome = router.route(event)
    assert outcome.duplicate
    [task] = list_tasks(router.db, rule="stock-variance-recount")
    assert task["occurrences"] == 1


def test_lines_joining_a_notified_task_are_told_once_per_group_interval(
    router: Router, dispatcher: Dispatcher, targets: dict[str, MemoryTarget], clock: Clock
) -> None:
    for i in range(40):
        router.route(count("S002", f"SKU-{i:03}", 5, 10, clock()))
    clock.advance(minutes=11)
    dispatcher.tick()
    for i in range(40, 45):
        router.route(count("S002", f"SKU-{i:03}", 5, 10, clock()))
    clock.advance(minutes=30)
    dispatcher.tick()
    assert [n.purpose for n in targets["store-ops"].sent] == ["opened"]  # within the interval
    clock.advance(minutes=31)
    dispatcher.tick()
    dispatcher.tick()
    opened, updated = [n for n in targets["store-ops"].sent if not n.purpose.startswith("sla_")]
    assert updated.purpose == "updated-1"
    assert (len(opened.lines), len(updated.lines)) == (40, 45)


def test_a_tasks_value_at_risk_is_the_sum_of_its_lines_as_they_change_and_its_grade_only_rises(
    router: Router, clock: Clock
) -> None:
    # S003 is a tier-3 store: the impact comes from the value alone (500 and up: 2)
    router.route(count("S003", "SKU-1", 5, 30, clock()))  # 25 units short: 625.00
    router.route(count("S003", "SKU-2", 10, 14, clock()))  # 4 short: 100.00
    router.route(count("S003", "SKU-1", 25, 30, clock()))  # recounted, 5 short: 125.00
    [task] = list_tasks(router.db, rule="stock-variance-recount")
    lines = task_detail(router.db, task["id"])["lines"]
    assert sorted(line["value_at_risk"] for line in lines) == ["100.00", "125.00"]
    assert Decimal(task["value_at_risk"]) == Decimal("225.00")
    assert task["occurrences"] == 3
    # 225 alone would be impact 3, but the task was graded 2 at 725 and never goes down
    assert (task["impact"], task["priority"]) == (2, 3)


def _state(db: Engine) -> list[tuple[object, ...]]:
    """Every task with its lines and the events audited opening or joining it, without task
    ids and times."""
    out: list[tuple[object, ...]] = []
    for task in sorted(list_tasks(db, limit=1000), key=lambda t: (t["rule_id"], t["group_key"])):
        detail = task_detail(db, task["id"])
        lines = sorted(
            (
                line["dedup_key"],
                line["occurrences"],
                line["value_at_risk"],
                line["fields"]["counted"],
            )
            for line in detail["lines"]
        )
        # one entry per event, or one per task and batch listing the events that joined
        actions = sorted(
            (e["action"], listed[0])
            for e in audit_entries(db, task_id=task["id"], limit=1000)
            for listed in e["details"].get("events") or [[e["event_id"]]]
        )
        out.append(
            (
                task["rule_id"],
                task["occurrences"],
                task["value_at_risk"],
                task["impact"],
                task["priority"],
                tuple(lines),
                tuple(actions),
            )
        )
    return out


def test_routing_a_batch_records_what_routing_its_events_one_by_one_records(
    db: Engine, clock: Clock, tmp_path: Path
) -> None:
    events = [
        count(f"S00{1 + i % 3}", f"SKU-{i % 7}", i % 4, 10 + i % 5, clock()) for i in range(40)
    ]
    events.append(events[3])  # one delivered twice in the same message
    one_by_one = Router(
        connect(f"sqlite:///{tmp_path / 'sequential.db'}"), load_engine(), clock=clock
    )
    outcomes = [one_by_one.route(event) for event in events]
    batched = Router(db, load_engine(), clock=clock)
    assert batched.route_many(events) == outcomes
    assert outcomes[-1].duplicate
    assert _state(db) == _state(one_by_one.db)
    # repeats of a line in one batch count on it, and the latest figures win
    assert {line[1] for task in _state(db) for line in task[5]} > {1}


def test_an_event_that_joined_a_task_in_a_batch_is_found_in_the_audit_by_its_id(
    router: Router, clock: Clock
) -> None:
    # ids a LIKE pattern or a JSON encoder could get wrong, and one inside another
    ids = ["ev-1", "ev-10", "ev_%1", 'ev-"quoted"', "ev-ünï", "ev\\back"]
    events = [count("S002", f"SKU-{i}", 5, 10, clock()) for i in range(len(ids))]
    for event, event_id in zip(events, ids, strict=True):
        event["id"] = event_id
    router.route_many(events)
    [task] = list_tasks(router.db, rule="stock-variance-recount")
    for event_id in ids:
        found = [
            e
            for e in audit_entries(router.db, event_id=event_id)
            if e["rule"].startswith("stock-variance-recount")
        ]
        assert len(found) == 1, event_id
        [entry] = found
        assert entry["task_id"] == task["id"]
        if entry["action"] == "opened":
            assert entry["event_id"] == event_id == ids[0]
        else:
            listed = {e[0]: e[1] for e in entry["details"]["events"]}
            assert len(listed[event_id]) == 64  # its input digest
    assert audit_entries(router.db, event_id="ev-") == []
    assert len(audit_entries(router.db, event_id="ev-10", limit=1)) == 1
