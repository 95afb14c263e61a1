"""The decision table: an exception class or an HTTP status → an action and a failure type.

One table decides for the whole hub (Airbyte's error-mapping style). A row's key is

- an exception class: matched along the exception's MRO, the most specific class wins;
- an HTTP status code (``429``) or a range of them (``range(500, 600)``): matched first, for an
  exception that carries a ``status`` (:class:`~connectors.sdk.errors.HttpStatusError`, or a
  connector's own class with that attribute). An exact code wins over a range.

:data:`SDK_TABLE` holds the rows every connector shares; :mod:`hub.retry` extends it with the
hub's own rows (broker, database) into ``hub.retry.DEFAULT_TABLE``, and a connector adds its
rows through ``Connector.error_rows``. The backoff layer (:mod:`connectors.sdk.retry`) only
waits between attempts of what the table calls retryable; it never decides again.
"""

from __future__ import annotations

import enum
import socket
from collections.abc import Mapping
from dataclasses import dataclass

import pydantic

from connectors.sdk.errors import (
    AuthenticationFailed,
    AuthExpired,
    ConnectorConfigError,
    ConnectorError,
    PermanentConnectorError,
    RateLimited,
    RecordError,
    RequestRejected,
    TransientConnectorError,
)
from mappings import MappingError

__all__ = [
    "SDK_TABLE",
    "Action",
    "Decision",
    "FailureType",
    "RetryTable",
    "RowKey",
    "status_of",
]


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


#: an exception class, an HTTP status code, or a range of status codes
RowKey = type[BaseException] | int | range


def status_of(exc: BaseException) -> int | None:
    """The HTTP status an exception carries (``status`` or ``status_code``), if any."""
    for attr in ("status", "status_code"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 100 <= value <= 599:
            return value
    return None


@dataclass(frozen=True)
class RetryTable:
    """Exception class or HTTP status → :class:`Decision`."""

    rows: Mapping[RowKey, Decision]
    #: what an exception no row names becomes: kept (dead-lettered), never dropped
    fallback: Decision = Decision(Action.DEAD_LETTER, FailureType.SYSTEM)

    def decide(self, exc: BaseException) -> Decision:
        """The decision for ``exc``: its status row, else its most specific class row."""
        status = status_of(exc)
        if status is not None:
            decision = self.decide_status(status)
            if decision is not None:
                return decision
        for cls in type(exc).__mro__:
            found = self.rows.get(cls)
            if found is not None:
                return found
        return self.fallback

    def decide_status(self, status: int) -> Decision | None:
        """The row for an HTTP status: the exact code, else the narrowest range holding it."""
        exact = self.rows.get(status)
        if exact is not None:
            return exact
        ranges = [(k, d) for k, d in self.rows.items() if isinstance(k, range) and status in k]
        if not ranges:
            return None
        return min(ranges, key=lambda kd: len(kd[0]))[1]

    def extend(self, rows: Mapping[RowKey, Decision]) -> RetryTable:
        """A new table with ``rows`` added; they override rows with the same key."""
        return RetryTable({**self.rows, **rows}, self.fallback)


RETRY = Decision(Action.RETRY, FailureType.TRANSIENT)
WAIT = Decision(Action.RATE_LIMITED, FailureType.TRANSIENT)
REFRESH = Decision(Action.REFRESH_AUTH, FailureType.CONFIG)
DATA = Decision(Action.DEAD_LETTER, FailureType.DATA)
CONFIG = Decision(Action.FAIL, FailureType.CONFIG)

SDK_TABLE = RetryTable(
    {
        # transient: the same call may work later
        ConnectionError: RETRY,
        # a peer that hung up mid-conversation (paramiko, ftplib, telnetlib raise it)
        EOFError: RETRY,
        TimeoutError: RETRY,
        socket.timeout: RETRY,
        TransientConnectorError: RETRY,
        RateLimited: WAIT,
        AuthExpired: REFRESH,
        # permanent
        RecordError: DATA,
        MappingError: DATA,
        RequestRejected: DATA,
        pydantic.ValidationError: DATA,
        UnicodeDecodeError: DATA,
        ConnectorConfigError: CONFIG,
        AuthenticationFailed: CONFIG,
        PermanentConnectorError: Decision(Action.DEAD_LETTER, FailureType.SYSTEM),
        ConnectorError: Decision(Action.DEAD_LETTER, FailureType.SYSTEM),
        # HTTP answers, by status (Airbyte's default mapping, adjusted: a 401 first refreshes)
        range(400, 500): DATA,
        400: DATA,
        401: REFRESH,
        403: CONFIG,
        404: DATA,
        408: RETRY,
        409: DATA,
        422: DATA,
        429: WAIT,
        range(500, 600): RETRY,
        501: Decision(Action.FAIL, FailureType.SYSTEM),
        503: WAIT,
    }
)
"""The rows every connector shares."""
