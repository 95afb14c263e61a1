"""Maintenance windows across midnight and daylight saving; escalation steps with repeats."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hub.routing.escalation import due_steps
from hub.routing.maintenance import window_end
from hub.routing.rules import MaintenanceWindow


def _window(**kw: object) -> MaintenanceWindow:
    return MaintenanceWindow.model_validate({"id": "w", **kw})


def test_an_overnight_window_runs_into_the_next_morning() -> None:
    w = _window(days=["mon"], start=time(22), end=time(6), timezone="Europe/Berlin")
    monday_23h = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 23:00 Berlin
    tuesday_5h = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 05:00 Berlin
    tuesday_23h = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # not a Monday night
    assert window_end(w, monday_23h) == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert window_end(w, tuesday_5h) == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert window_end(w, tuesday_23h) is None


def test_a_window_keeps_its_wall_clock_hours_across_the_spring_change() -> None:
    # Europe/Berlin skips 02:00–03:00 on 29 March 2026: 01:00 CET–03:00 CEST is one hour long
    w = _window(days=["sun"], start=time(1), end=time(3), timezone="Europe/Berlin")
    inside = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert window_end(w, inside) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert window_end(w, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) is None
    # a week later the same window is 01:00–03:00 CEST, two hours
    assert window_end(w, datetime(2026, 4, 4, 23, 30, tzinfo=UTC)) == datetime(
        2026, 4, 5, 1, 0, tzinfo=UTC
    )


POLICY = {
    "steps": [{"after": "PT30M", "notify": ["lead"]}, {"after": "PT1H", "notify": ["manager"]}],
    "repeat": 1,
}
T = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_steps_fall_due_in_order_and_the_list_repeats() -> None:
    assert due_steps(POLICY, T, 0, T + timedelta(minutes=29)) == []
    assert due_steps(POLICY, T, 0, T + timedelta(minutes=30)) == [(1, ["lead"])]
    assert due_steps(POLICY, T, 1, T + timedelta(minutes=95)) == [(2, ["manager"])]
    # a dispatcher that was away catches up on every step due, and the round repeats once
    assert due_steps(POLICY, T, 0, T + timedelta(hours=10)) == [
        (1, ["lead"]),
        (2, ["manager"]),
        (3, ["lead"]),
        (4, ["manager"]),
    ]
    assert due_steps(POLICY, T, 4, T + timedelta(days=3)) == []


def test_no_steps_before_the_task_was_notified() -> None:
    assert due_steps(POLICY, None, 0, T + timedelta(days=1)) == []
