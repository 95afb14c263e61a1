"""Errors a connector raises, split by retryability.

::

    CrossdockError                    the one root (canonical.errors)
    └── ConnectorError                root of everything a connector raises
        ├── TransientConnectorError   the peer may answer next time (network, timeout, 5xx, 429)
        └── RecordError               this record can never be processed as it is (dead-letter it)
            ├── MissingColumnError    a CSV row or header lacks a column the mapping needs
            └── UnknownFormatError    no document format (or several) recognises the content

The connector SDK adds the rest of the tree (``connectors.sdk.errors``: timeouts, rate limits,
expired auth, permanent refusals, HTTP statuses), and one decision table
(``connectors.sdk.decisions``, extended by ``hub.retry``) maps every class to an action;
connectors never retry on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical.errors import CrossdockError

__all__ = [
    "ConnectorError",
    "MissingColumnError",
    "RecordError",
    "TransientConnectorError",
    "UnknownFormatError",
]


class ConnectorError(CrossdockError):
    """Root of the errors raised by connectors, transports and formats."""


class TransientConnectorError(ConnectorError):
    """The peer did not answer as expected this time; the same call may succeed later."""


class RecordError(ConnectorError, ValueError):
    """One record is malformed: where it is, which field, and why."""

    def __init__(
        self,
        location: str,
        reason: str,
        *,
        field: str | None = None,
        raw: bytes | None = None,
        line: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.location = location
        self.line = line
        #: what a replay needs to parse ``raw`` again (e.g. the CSV header)
        self.context: Mapping[str, Any] = context or {}
        self.field = field
        self.reason = reason
        #: the record's original bytes, so its dead letter can carry them
        self.raw = raw
        where = f"{location}, field {field}" if field else location
        super().__init__(f"{where}: {reason}")


class MissingColumnError(RecordError):
    """A required column is absent from a row or from the header."""


class UnknownFormatError(RecordError):
    """A document no format recognises (or several claim): refused whole, never guessed."""
