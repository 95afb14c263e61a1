"""A notification carries a task's first lines and says how many it has: a bulk count's task
holds tens of thousands of lines, which no webhook receiver or ticket takes in one body."""

from __future__ import annotations

import json

import pytest

from hub.routing import deliveries
from hub.routing.dispatcher import Dispatcher
from hub.routing.router import Router
from hub.routing.targets import MemoryTarget
from hub.routing.targets.base import Notification
from tests.routing.conftest import Clock
from tests.routing.events import count


@pytest.fixture
def five_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notifications capped at 5 lines (1,000 in the hub), so a task of 7 passes the cap."""
    monkeypatch.setattr(deliveries, "NOTIFIED_LINES", 5)


def _notify(router: Router, dispatcher: Dispatcher, clock: Clock, skus: int) -> None:
    router.route_many([count("S002", f"SKU-{i:03}", 5, 10, clock()) for i in range(skus)])
    dispatcher.tick()
    clock.advance(minutes=11)  # past the rule's group wait
    dispatcher.tick()


@pytest.mark.usefixtures("five_lines")
def test_a_task_past_the_cap_is_notified_with_its_first_lines_and_its_count(
    router: Router, dispatcher: Dispatcher, targets: dict[str, MemoryTarget], clock: Clock
) -> None:
    _notify(router, dispatcher, clock, 7)
    [sent] = targets["store-ops"].sent
    assert [line["sku"] for line in sent.lines] == [f"SKU-{i:03}" for i in range(5)]
    assert sent.total_lines == 7
    body = json.loads(json.dumps(sent.as_json()))
    assert body["line_count"] == 7
    assert len(body["lines"]) == 5
    text = sent.text()
    assert "7 line(s)" in text
    assert text.endswith("  … and 2 more")


@pytest.mark.usefixtures("five_lines")
def test_an_update_past_the_cap_carries_the_lines_seen_last(
    router: Router, dispatcher: Dispatcher, targets: dict[str, MemoryTarget], clock: Clock
) -> None:
    _notify(router, dispatcher, clock, 7)  # opened: SKU-000 … SKU-004 of 7
    clock.advance(minutes=5)
    again = [count("S002", "SKU-000", 4, 10, clock())]  # counted again, still short
    new = [count("S002", f"SKU-{i}", 5, 10, clock()) for i in (100, 101)]
    router.route_many(again + new)
    clock.advance(hours=1, minutes=1)  # past the rule's group interval
    dispatcher.tick()
    opened, updated = targets["store-ops"].sent
    assert updated.purpose.startswith("updated")
    assert updated.total_lines == 9
    # the three seen just now and, of the rest, the last two; in line order
    assert [line["sku"] for line in updated.lines] == [
        "SKU-000",
        "SKU-005",
        "SKU-006",
        "SKU-100",
        "SKU-101",
    ]
    assert [line["sku"] for line in opened.lines] == [f"SKU-{i:03}" for i in range(5)]


def test_a_task_within_the_cap_is_notified_whole(
    router: Router, dispatcher: Dispatcher, targets: dict[str, MemoryTarget], clock: Clock
) -> None:
    _notify(router, dispatcher, clock, 7)
    [sent] = targets["store-ops"].sent
    assert len(sent.lines) == 7
    assert sent.line_count is None
    assert sent.as_json()["line_count"] == 7
    assert "more" not in sent.text()


def test_a_notification_built_without_a_count_counts_its_lines() -> None:
    plain = Notification(
        "d-1", 1, "opened", "r@1", "c", "high", 1, 1, 1, "t", "s", "x", "open",
        lines=[{"sku": "A"}, {"sku": "B"}],
    )  # fmt: skip
    assert plain.total_lines == 2
    assert plain.as_json()["line_count"] == 2
