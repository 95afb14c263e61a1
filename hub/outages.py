"""Riding through outages: when the broker or the database goes away, the hub pauses.

A running hub whose work fails because RabbitMQ or PostgreSQL (or the embedded bus's file) went
away does not die: :meth:`OutageRider.ride` probes both until they answer again, waiting with
capped exponential backoff and jitter between probes (tenacity, with the waits of
:data:`OUTAGE_POLICY`), says one line when something goes down and one when it is back, and
returns; the caller then does the work again from its checkpoints (a file resumes after its
last confirmed chunk, and the copies of events published again are dropped by their ids).

How long it waits is the hub's ``outage_wait``: unset, a watching hub waits until stopped and
``crossdock run --once`` for :data:`ONCE_WAIT` seconds; past it, :class:`OutageTooLong` says
what is still down (one line, exit 1).
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tenacity
from amqp.exceptions import RecoverableConnectionError
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlalchemy import Engine

from hub.api.health import check_broker, check_database
from hub.database import DATABASE_ERRORS
from hub.errors import BusError, DatabaseUnavailable, HubError
from hub.retry import RetryPolicy

__all__ = [
    "ONCE_WAIT",
    "OUTAGE_ERRORS",
    "OUTAGE_POLICY",
    "OutageRider",
    "OutageTooLong",
    "is_disk_full",
    "is_outage",
]

log = logging.getLogger(__name__)

#: the waits between probes while something is down: 0.5 s doubling to 15 s, with jitter
OUTAGE_POLICY = RetryPolicy(initial_wait=0.5, max_wait=15.0, jitter=0.5)

#: how long ``crossdock run --once`` waits for an outage to end when nothing is configured
ONCE_WAIT = 60.0

#: what failing work raises when the broker or the database went away (the OS's connection
#: errors, kombu's and py-amqp's, the driver's through SQLAlchemy, the hub's own wrappings)
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    BusError,
    DatabaseUnavailable,
    *DATABASE_ERRORS,
    KombuOperationalError,
    RecoverableConnectionError,
    ConnectionError,
    socket.gaierror,
)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) is a dependency gone away.

    A full disk is none: the database and the bus still answer a probe, so riding it through
    would only redo the same work until the unexplained-failure limit (see :func:`is_disk_full`).
    """
    if is_disk_full(exc):
        return False
    return any(isinstance(e, OUTAGE_ERRORS) for e in _chain(exc))


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) says the disk is full: SQLite's
    ``SQLITE_FULL`` ("database or disk is full", the embedded database and bus) or ``ENOSPC``."""
    for e in _chain(exc):
        if (
            isinstance(e, sqlite3.Error)
            and getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        ):
            return True
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            return True
    return False


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then the errors it was raised from (SQLAlchemy keeps the driver's as ``orig``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        yield current
        seen.add(id(current))
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        current = current.__cause__ or current.__context__


#: failures while the broker and the database both answer, within this many seconds, after
#: which the next one is raised: a failure that repeats with nothing down is no outage
_UNEXPLAINED_LIMIT = 5
_UNEXPLAINED_WINDOW = 60.0


class OutageTooLong(HubError):
    """The broker or the database stayed down longer than the hub was configured to wait."""


@dataclass
class OutageRider:
    """Waits out the outages of one hub's broker and database (see the module doc)."""

    bus_url: str
    engine: Engine
    #: where the lines go (the run's report); also logged
    say: Callable[[str], None]
    #: seconds to wait for an outage to end; None: until stopped
    limit: float | None = None
    #: set to stop waiting (the hub is stopping); the main thread is interrupted by signals
    stopping: threading.Event | None = None
    policy: RetryPolicy = OUTAGE_POLICY

    def __post_init__(self) -> None:
        #: what is down now, by dependency (what the last probe said)
        self.down: dict[str, str] = {}
        self._lock = threading.Lock()
        #: when failures came while both answered (see ride)
        self._unexplained: list[float] = []

    def probe(self) -> dict[str, str]:
        """What is down now: ``{"broker"|"database": why}``; empty when both answer."""
        checks = (check_broker(self.bus_url), check_database(self.engine))
        return {c.name: c.detail for c in checks if not c.ok}

    def ride(self, exc: BaseException) -> None:
        """After ``exc`` (an outage error): return once the broker and the database answer.

        Raises :class:`OutageTooLong` after ``limit`` seconds of outage, and
        ``KeyboardInterrupt`` when ``stopping`` is set meanwhile.
        """
        started = time.monotonic()
        # the lock keeps the lines of two parts riding the same outage (the inbox loop and
        # the routing thread) from interleaving: the second finds it over or waits its turn
        with self._lock:
            down = self.probe()
            if not down:
                # over already (a broker restart takes a second), or a failure of a connection
                # alone: say what failed, and the caller goes on. The same failure again and
                # again while both answer is no outage: it is raised, not retried forever
                now = time.monotonic()
                recent = [t for t in self._unexplained if now - t < _UNEXPLAINED_WINDOW]
                self._unexplained = [*recent, now]
                if len(self._unexplained) > _UNEXPLAINED_LIMIT:
                    raise exc
                self._say(f"{_short(exc)}; the broker and the database answer: going on")
                return
            self._changed(down, started)
            stop = (
                tenacity.stop_after_delay(self.limit)
                if self.limit is not None
                else tenacity.stop_never
            )
            retryer = tenacity.Retrying(
                stop=stop,
                wait=tenacity.wait_exponential_jitter(
                    multiplier=self.policy.initial_wait,
                    max=self.policy.max_wait,
                    jitter=self.policy.jitter,
                ),
                retry=tenacity.retry_if_result(bool),
                sleep=self._sleep,
                retry_error_callback=lambda state: state.outcome.result() if state.outcome else {},
            )

            def attempt() -> dict[str, str]:
                now = self.probe()
                if set(now) != set(self.down):  # one line per change, not per probe
                    self._changed(now, started)
                return now

            left = retryer(attempt)
            if left:
                waited = time.monotonic() - started
                raise OutageTooLong(
                    f"gave up after waiting {waited:.0f} s: "
                    + "; ".join(f"{name} down ({why})" for name, why in left.items())
                )
            self.down = {}
            waited = time.monotonic() - started
            self._say(f"resumed: the broker and the database answer again after {waited:.1f} s")

    def _changed(self, down: dict[str, str], started: float) -> None:
        self.down = down
        if not down:
            return
        how_long = (
            f"up to {self.limit:g} s" if self.limit is not None else "until it is back or stopped"
        )
        what = "; ".join(f"{name} down ({why})" for name, why in down.items())
        self._say(f"paused: {what}; retrying with backoff {how_long}")

    def _sleep(self, seconds: float) -> None:
        if self.stopping is None:
            time.sleep(seconds)
        elif self.stopping.wait(seconds):
            raise KeyboardInterrupt

    def _say(self, line: str) -> None:
        log.info("%s", line)  # the report prints it; a warning would print twice
        self.say(f"crossdock: {line}")


def _short(exc: BaseException) -> str:
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    return f"{type(exc).__name__}: {text[:300]}"
