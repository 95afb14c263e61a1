"""Escalation: while nobody acknowledges, each step's wait passes and its targets are told.

Steps run in order from the moment the task was first notified; with ``repeat`` the list runs
that many more rounds. Pure arithmetic over the policy copied onto the task when it opened.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

__all__ = ["due_steps"]


def due_steps(
    policy: dict[str, Any] | None, notified_at: datetime | None, level: int, now: datetime
) -> list[tuple[int, list[str]]]:
    """(step number from 1, targets) of every step due by ``now`` beyond the ``level`` reached."""
    if not policy or notified_at is None:
        return []
    steps = policy["steps"]
    total = len(steps) * (int(policy.get("repeat", 0)) + 1)
    due: list[tuple[int, list[str]]] = []
    at = notified_at
    for n in range(total):
        step = steps[n % len(steps)]
        at += timedelta(seconds=_seconds(step["after"]))
        if at > now:
            break
        if n >= level:
            due.append((n + 1, list(step["notify"])))
    return due


_DURATION = TypeAdapter(timedelta)


def _seconds(value: Any) -> float:
    # the policy was dumped with pydantic's JSON mode: timedelta as an ISO 8601 duration string
    if isinstance(value, int | float):
        return float(value)
    return _DURATION.validate_python(value).total_seconds()
