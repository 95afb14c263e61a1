"""A dead letter as a stage reports it, before it is stored: plain data, no database.

Kept apart from the store so that translating worker processes, which only render letters
into rows, do not import SQLAlchemy's ORM (half a second per worker).
"""

from __future__ import annotations

import enum
import hashlib
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pydantic

from connectors.errors import RecordError

if TYPE_CHECKING:
    from hub.retry import Decision

__all__ = ["DeadLetter", "DeadLetterStatus", "describe_error", "failure_key"]


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


@dataclass(slots=True)
class DeadLetter:
    """A failure as a stage reports it, before it is stored."""

    connector: str
    source: str
    source_key: str
    location: str
    stage: str
    error: BaseException
    decision: Decision
    payload: bytes
    content_type: str
    context: Mapping[str, Any] = field(default_factory=dict)
    mapping_id: str | None = None
    mapping_version: int | None = None
    event_type: str | None = None
    event_id: str | None = None
    correlation_id: str | None = None
    attempts: int = 1

    def as_row(self, now: datetime) -> dict[str, Any]:
        """Column values for the dead-letter table."""
        exc = self.error
        tb = (
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            if exc.__traceback__ is not None
            else None
        )
        return {
            "key": failure_key(self.source_key, self.location, self.stage),
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
