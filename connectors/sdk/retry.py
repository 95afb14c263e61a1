"""The backoff layer: waits between attempts of what the decision table calls retryable.

It never decides again: :meth:`RetryTable.decide` says whether a failure is retried, and how
(plain retry, rate-limited wait, refresh the auth first). This layer only chooses how long to
wait: the peer's ``Retry-After`` for a rate-limited failure, else capped exponential backoff
with jitter (tenacity). Connector authors do not write retry loops; they extend the table.

A failure is retried by one layer only, the innermost: when :func:`retrying` gives up it marks
the exception (``retry_exhausted``), and an outer :func:`retrying` (e.g. the runner around a
client that already retried a request) passes it on at once instead of multiplying attempts.
Every retry is logged on ``connectors.sdk.retry`` (what failed, the attempt, the wait), and
told to the listeners of :func:`counting_retries` around it: the runner counts a read's retries
that way, whichever layer retried (a client's 429 or a re-read from the last checkpoint).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity

from connectors.sdk.decisions import SDK_TABLE, Action, RetryTable

__all__ = ["EXHAUSTED_ATTR", "RetryPolicy", "counting_retries", "retry_after_of", "retrying"]

log = logging.getLogger(__name__)

#: set on an exception a retry layer gave up on, so no outer layer retries it again
EXHAUSTED_ATTR = "retry_exhausted"

T = TypeVar("T")

RetryListener = Callable[[BaseException, int], None]
#: the listeners of every retry made in this context (a thread, or a task), innermost last
_LISTENERS: ContextVar[tuple[RetryListener, ...]] = ContextVar("retry_listeners", default=())


@contextmanager
def counting_retries(listener: RetryListener) -> Iterator[None]:
    """Tell ``listener`` of every retry :func:`retrying` makes inside the block, at any depth.

    A connector's client retries a 429 inside the read; the runner retries the read; both are
    retried calls, and the run counts both without the connector passing anything along.
    """
    token = _LISTENERS.set((*_LISTENERS.get(), listener))
    try:
        yield
    finally:
        _LISTENERS.reset(token)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying a retryable failure: capped exponential backoff with jitter."""

    max_attempts: int = 5
    initial_wait: float = 0.2
    max_wait: float = 10.0
    jitter: float = 0.5
    #: a peer's Retry-After longer than this is cut to it (a bad header must not park a worker)
    max_retry_after: float = 300.0
    table: RetryTable = field(default=SDK_TABLE)


def retry_after_of(exc: BaseException) -> float | None:
    """The wait the peer asked for, in seconds (``retry_after`` on the exception), if any."""
    value = getattr(exc, "retry_after", None)
    if isinstance(value, int | float) and value >= 0:
        return float(value)
    return None


def retrying(
    policy: RetryPolicy,
    fn: Callable[[], T],
    *,
    on_retry: Callable[[BaseException, int], None] | None = None,
    refresh_auth: Callable[[], bool] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """Call ``fn``; call it again while the table says the failure is retryable.

    A ``REFRESH_AUTH`` failure calls ``refresh_auth`` before the next attempt; without one, when
    it returns False (nothing to refresh), or when the attempt right after a refresh is refused
    again, the failure is final. The last
    exception is re-raised unchanged when attempts run out or the failure is not retryable, so
    the caller can dead-letter it with its real class.
    """
    table = policy.table
    backoff = tenacity.wait_exponential_jitter(
        multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.jitter
    )
    refreshed_last = False

    def should_retry(exc: BaseException) -> bool:
        if getattr(exc, EXHAUSTED_ATTR, False):
            return False
        decision = table.decide(exc)
        if decision.action is Action.REFRESH_AUTH:
            return refresh_auth is not None and not refreshed_last
        return decision.retryable

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if exc is not None and table.decide(exc).action is Action.RATE_LIMITED:
            asked = retry_after_of(exc)
            if asked is not None:
                return min(asked, policy.max_retry_after)
        if exc is not None and table.decide(exc).action is Action.REFRESH_AUTH:
            return 0.0  # a fresh token is what was missing, not time
        return float(backoff(state))

    def before_sleep(state: tenacity.RetryCallState) -> None:
        nonlocal refreshed_last
        exc = state.outcome.exception() if state.outcome is not None else None
        if exc is None:
            return
        if on_retry is not None:
            on_retry(exc, state.attempt_number)
        for listener in _LISTENERS.get():
            listener(exc, state.attempt_number)
        log.warning(
            "retrying after %s: %s (attempt %d of %d, %s, waiting %.2fs)",
            type(exc).__name__,
            exc,
            state.attempt_number,
            policy.max_attempts,
            table.decide(exc).action.value,
            state.upcoming_sleep,
        )
        refreshed_last = table.decide(exc).action is Action.REFRESH_AUTH
        if refreshed_last and refresh_auth is not None and not refresh_auth():
            raise exc  # nothing to refresh: the refusal is final

    def attempt() -> T:
        nonlocal refreshed_last
        result = fn()
        refreshed_last = False
        return result

    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=wait,
        retry=tenacity.retry_if_exception(should_retry),
        before_sleep=before_sleep,
        sleep=sleep or tenacity.nap.sleep,
        reraise=True,
    )
    try:
        return retryer(attempt)
    except Exception as exc:
        if table.decide(exc).retryable:  # gave up on something retryable: outer layers must not
            setattr(exc, EXHAUSTED_ATTR, True)
        raise
