"""The one dead-letter model: a record that could not be processed, its bytes and why.

Every stage that gives up on a record describes it with :class:`DeadLetter`: the SDK's runner
and sinks, the hub's file source and chunk workers, webhook ingress, routing deliveries. The hub
stores it (one row per failure, keyed by :func:`failure_key`) and only the hub's dead-letter
service (``hub.deadletter.service``) changes a stored letter's :class:`DeadLetterStatus`.

A letter carries what replay needs to make the event again, and under which id: the mapping
(id and version) that failed or would have mapped it, the event type, and the event id it had
or would have had (see :mod:`connectors.sdk.translate` for the one event-id rule); its
``context`` keeps the plain values a format needs to parse the bytes again (a CSV header, an
X12 envelope's separators) and the record's ``origin``.

Plain data, no database: translating worker processes render letters into rows without
importing SQLAlchemy.
"""

from __future__ import annotations

import enum
import hashlib
import json
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pydantic

from connectors.errors import RecordError
from connectors.sdk.decisions import Decision

__all__ = ["DeadLetter", "DeadLetterStatus", "describe_error", "failure_key", "plain_context"]


class DeadLetterStatus(enum.StrEnum):
    """Where a dead letter is in its life."""

    OPEN = "open"
    REPLAYED = "replayed"
    DISCARDED = "discarded"


def describe_error(exc: BaseException) -> str:
    """A one-paragraph reason that names the field and value, not a wall of text."""
    if isinstance(exc, pydantic.ValidationError):
        parts = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"]) or "(event)"
            value = repr(err.get("input"))[:80]
            parts.append(f"field {loc}: {err['msg']} (input {value})")
        return f"{exc.title} failed validation: " + "; ".join(parts)
    if isinstance(exc, RecordError):  # the location is stored on its own; keep the reason
        return f"field {exc.field}: {exc.reason}" if exc.field else exc.reason
    return str(exc) or type(exc).__name__


def failure_key(source_key: str, location: str, stage: str) -> str:
    """Identity of one failure: the same row failing again after a restart is the same letter."""
    return hashlib.sha256(f"{source_key}\x1f{location}\x1f{stage}".encode()).hexdigest()


def plain_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a record's context a dead letter can keep as JSON (an X12 separator table
    can; a parsed tree or an exception cannot)."""
    return {k: v for k, v in context.items() if _plain(v)}


def _plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


@dataclass(slots=True, kw_only=True)
class DeadLetter:
    """A record that could not be processed, as the stage that gave up reports it."""

    #: the configured instance (or file connector) the record came through
    connector: str
    #: where the bytes came from (a file, a URL, a webhook delivery)
    source: str
    #: human location of the record: file and line, URL and position, delivery id
    location: str
    #: ``decode``, ``read``, ``mapping``, ``validation``, ``map``, ``write``, ``deliver``…
    stage: str
    error: BaseException
    decision: Decision
    #: the record's original bytes, unchanged
    payload: bytes
    content_type: str
    #: identity of the source document; with location and stage it names the failure once
    #: (empty: the connector and location)
    source_key: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)
    mapping_id: str | None = None
    mapping_version: int | None = None
    event_type: str | None = None
    event_id: str | None = None
    correlation_id: str | None = None
    attempts: int = 1

    @property
    def key(self) -> str:
        """The failure's identity (:func:`failure_key`)."""
        return failure_key(
            self.source_key or f"{self.connector}:{self.location}", self.location, self.stage
        )

    def as_row(self, now: datetime) -> dict[str, Any]:
        """Column values for the dead-letter table."""
        exc = self.error
        tb = (
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            if exc.__traceback__ is not None
            else None
        )
        return {
            "key": self.key,
            "connector": self.connector,
            "source": self.source,
            "location": self.location,
            "stage": self.stage,
            "error_class": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "failure_type": self.decision.failure.value,
            "reason": describe_error(exc),
            "traceback": tb,
            "content_type": self.content_type,
            "payload": self.payload,
            "context": dict(self.context),
            "mapping_id": self.mapping_id,
            "mapping_version": self.mapping_version,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "correlation_id": self.correlation_id,
            "attempts": self.attempts,
            "first_failed_at": now,
            "last_failed_at": now,
            "status": DeadLetterStatus.OPEN.value,
            "history": [],
        }
