"""Retry decisions, made in one table for the whole hub.

An exception class maps to an :class:`Action` and a :class:`FailureType`; the lookup walks the
exception's MRO, so the most specific entry wins. The backoff layer (:func:`retrying`) only
waits between attempts of what the table calls retryable: it never decides again. Connector
authors extend the table with :meth:`RetryTable.extend`; they do not write retry loops.
"""

from __future__ import annotations

import enum
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import pydantic
import sqlalchemy.exc
import tenacity
from kombu.exceptions import OperationalError as KombuOperationalError

from connectors.errors import ConnectorError, RecordError, TransientConnectorError
from hub.errors import BrokerUnavailable, ConfigError, PublishNotConfirmed
from hub.observability.metrics import RETRIES
from mappings import MappingError

__all__ = [
    "DEFAULT_TABLE",
    "Action",
    "Decision",
    "FailureType",
    "RetryPolicy",
    "RetryTable",
    "retrying",
]

T = TypeVar("T")


class Action(enum.StrEnum):
    """What the hub does with a failure."""

    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    REFRESH_AUTH = "refresh_auth"
    DEAD_LETTER = "dead_letter"
    FAIL = "fail"


class FailureType(enum.StrEnum):
    """Whose problem a failure is: it decides who is told (partner, ops, developer)."""

    CONFIG = "config"
    TRANSIENT = "transient"
    DATA = "data"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Decision:
    """One row of the table: the action and the failure type."""

    action: Action
    failure: FailureType

    @property
    def retryable(self) -> bool:
        """Whether the backoff layer should wait and try again."""
        return self.action in (Action.RETRY, Action.RATE_LIMITED, Action.REFRESH_AUTH)


@dataclass(frozen=True)
class RetryTable:
    """Exception class → Decision, looked up along the exception's MRO."""

    rows: Mapping[type[BaseException], Decision]
    #: what an exception no row names becomes: kept (dead-lettered), never dropped
    fallback: Decision = Decision(Action.DEAD_LETTER, FailureType.SYSTEM)

    def decide(self, exc: BaseException) -> Decision:
        """The decision for ``exc``: the row of its most specific class, else the fallback."""
        for cls in type(exc).__mro__:
            decision = self.rows.get(cls)
            if decision is not None:
                return decision
        return self.fallback

    def extend(self, rows: Mapping[type[BaseException], Decision]) -> RetryTable:
        """A new table with ``rows`` added; they override rows for the same class."""
        return RetryTable({**self.rows, **rows}, self.fallback)


def _default_rows() -> dict[type[BaseException], Decision]:
    retry = Decision(Action.RETRY, FailureType.TRANSIENT)
    data = Decision(Action.DEAD_LETTER, FailureType.DATA)
    rows: dict[type[BaseException], Decision] = {
        # transient: the same call may work later
        ConnectionError: retry,
        TimeoutError: retry,
        socket.timeout: retry,
        BrokerUnavailable: retry,
        PublishNotConfirmed: retry,
        TransientConnectorError: retry,
        sqlalchemy.exc.OperationalError: retry,
        # permanent: this input will never pass as it is
        RecordError: data,
        pydantic.ValidationError: data,
        UnicodeDecodeError: data,
        ConnectorError: Decision(Action.DEAD_LETTER, FailureType.SYSTEM),
        # a wrong configuration fails the connector instead of dead-lettering every record
        ConfigError: Decision(Action.FAIL, FailureType.CONFIG),
    }
    rows[MappingError] = data
    rows[KombuOperationalError] = retry
    return rows


DEFAULT_TABLE = RetryTable(_default_rows())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying a retryable failure: capped exponential backoff with jitter."""

    max_attempts: int = 5
    initial_wait: float = 0.2
    max_wait: float = 10.0
    jitter: float = 0.5
    table: RetryTable = field(default=DEFAULT_TABLE)


def retrying(
    policy: RetryPolicy,
    fn: Callable[[], T],
    *,
    on_retry: Callable[[BaseException, int], None] | None = None,
) -> T:
    """Call ``fn``; retry it while the table says the failure is retryable.

    The last exception is re-raised unchanged when attempts run out or the failure is not
    retryable, so the caller can dead-letter it with its real class.
    """

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        if exc is not None:
            RETRIES.labels(type(exc).__name__).inc()
            if on_retry is not None:
                on_retry(exc, state.attempt_number)

    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=tenacity.wait_exponential_jitter(
            multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.jitter
        ),
        retry=tenacity.retry_if_exception(lambda e: policy.table.decide(e).retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    return retryer(fn)
