"""A rate cap: at most ``rate`` items per second, averaged, in bursts of a batch."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Pacer"]


class Pacer:
    """Sleeps just enough that ``take(n)`` calls never run ahead of ``rate`` items per second."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError(f"a rate cap must be positive, not {rate}")
        self.rate = rate
        self._clock, self._sleep = clock, sleep
        self._start = clock()
        self._taken = 0

    def take(self, n: int) -> None:
        """Account for ``n`` items, first waiting until they fit under the cap."""
        if self.rate is None:
            return
        due = self._start + self._taken / self.rate
        wait = due - self._clock()
        if wait > 0:
            self._sleep(wait)
        self._taken += n
