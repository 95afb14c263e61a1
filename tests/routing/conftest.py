"""Fixtures for the routing tests: a movable clock, a SQLite database, memory targets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.database import connect
from hub.retry import RetryPolicy
from hub.routing.dispatcher import Dispatcher
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.targets import MemoryTarget

#: a Monday, 09:00 in Berlin: no maintenance window is open
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

FAST = RetryPolicy(max_attempts=4, initial_wait=0.01, max_wait=0.05, jitter=0.0)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)``; return the new time."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock starting at :data:`START`."""
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite hub database."""
    engine = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    yield engine
    engine.dispose()


def memory_targets() -> dict[str, MemoryTarget]:
    """One memory target per target name of the bundled rules."""
    names = load_engine().rules.targets
    return {name: MemoryTarget(name) for name in names}


@pytest.fixture
def targets() -> dict[str, MemoryTarget]:
    """Memory targets standing in for the bundled rules' queues."""
    return memory_targets()


@pytest.fixture
def router(db: Engine, clock: Clock) -> Router:
    """A router with the bundled rules on ``db`` and ``clock``."""
    return Router(db, load_engine(), clock=clock)


@pytest.fixture
def dispatcher(router: Router, targets: dict[str, MemoryTarget]) -> Dispatcher:
    """A dispatcher delivering to ``targets`` with fast retries."""
    return Dispatcher(router, target_overrides=targets, policy=FAST)
