"""Retry decisions, made in one table for the whole hub.

The table's types and the rows every connector shares live in the connector SDK
(:mod:`connectors.sdk.decisions`), so a connector can extend the table without importing the
hub. This module adds the hub's own rows (broker, database, configuration) into
:data:`DEFAULT_TABLE`, the one table the runtime decides with. An exception class or an HTTP
status maps to an :class:`Action` and a :class:`FailureType`; the backoff layer
(:func:`retrying`) only waits between attempts of what the table calls retryable: it never
decides again. Connector authors extend the table (``Connector.error_rows``); they do not
write retry loops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy.exc
from kombu.exceptions import OperationalError as KombuOperationalError

from connectors.sdk import retry as _sdk_retry
from connectors.sdk.decisions import SDK_TABLE, Action, Decision, FailureType, RetryTable
from hub.errors import BrokerUnavailable, ConfigError, PublishNotConfirmed, SourceBusy
from hub.observability.metrics import RETRIES

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

_RETRY = Decision(Action.RETRY, FailureType.TRANSIENT)

DEFAULT_TABLE = SDK_TABLE.extend(
    {
        BrokerUnavailable: _RETRY,
        PublishNotConfirmed: _RETRY,
        # another reader has the source: its turn ends with its lease
        SourceBusy: _RETRY,
        KombuOperationalError: _RETRY,
        sqlalchemy.exc.OperationalError: _RETRY,
        # a wrong configuration fails the connector instead of dead-lettering every record
        ConfigError: Decision(Action.FAIL, FailureType.CONFIG),
    }
)
"""The hub's one decision table: the SDK's rows plus the runtime's."""


@dataclass(frozen=True, slots=True)
class RetryPolicy(_sdk_retry.RetryPolicy):
    """The SDK's retry policy, deciding with the hub's :data:`DEFAULT_TABLE` by default."""

    table: RetryTable = field(default=DEFAULT_TABLE)


def retrying(
    policy: _sdk_retry.RetryPolicy,
    fn: Callable[[], T],
    *,
    on_retry: Callable[[BaseException, int], None] | None = None,
    **options: Any,
) -> T:
    """:func:`connectors.sdk.retry.retrying`, each retry counted in ``crossdock_retries``."""

    def counted(exc: BaseException, attempt: int) -> None:
        RETRIES.labels(type(exc).__name__).inc()
        if on_retry is not None:
            on_retry(exc, attempt)

    return _sdk_retry.retrying(policy, fn, on_retry=counted, **options)
