"""Riding through an SFTP server's outage: retries for a configured time, not a count.

The decision table says *whether* a failure is retried (a refused or dropped connection is,
:data:`~connectors.sftp.errors.SFTP_ERROR_ROWS`); this module only says for how long, with the
same backoff layer the hub's bus publisher uses through a broker outage (tenacity's capped
exponential backoff with jitter, :func:`connectors.sdk.retry.retrying`). The SDK's default of
5 attempts gave up ~3 s into an sshd restart; here the attempts are counted so that their
waits add up to at least ``ride_through`` seconds, each wait at most ``retry_max_wait``.
"""

from __future__ import annotations

from connectors.sdk.decisions import RetryTable
from connectors.sdk.retry import RetryPolicy
from connectors.sftp.config import SftpConfig

__all__ = ["outage_policy"]


def outage_policy(config: SftpConfig, table: RetryTable) -> RetryPolicy:
    """A policy whose waits (before jitter, which only adds) last ``ride_through`` seconds."""
    base = RetryPolicy()
    waited, attempts = 0.0, 1
    while waited < config.ride_through:
        waited += min(base.initial_wait * 2 ** (attempts - 1), config.retry_max_wait)
        attempts += 1
    return RetryPolicy(
        max_attempts=max(attempts, base.max_attempts),
        initial_wait=base.initial_wait,
        max_wait=config.retry_max_wait,
        jitter=base.jitter,
        max_retry_after=base.max_retry_after,
        table=table,
    )
