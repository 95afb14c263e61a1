"""Grouping and dedup: forty SKUs short in one count become one task with forty lines."""

from __future__ import annotations

from hub.routing.dispatcher import Dispatcher
from hub.routing.router import Router
from hub.routing.targets import MemoryTarget
from hub.routing.tasks import list_tasks, task_detail
from tests.routing.conftest import Clock
from tests.routing.events import count


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
