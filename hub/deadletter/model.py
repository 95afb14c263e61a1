"""The dead-letter table mapped to a class, for the code that loads and changes letters.

The table itself is :data:`hub.deadletter.table.DEAD_LETTERS` (Core): reads that need no
objects use it without the ORM.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from hub.deadletter.table import DEAD_LETTERS
from hub.declarative import Base

__all__ = ["DeadLetterRow"]


class DeadLetterRow(Base):
    """One record that could not be processed, with its original bytes."""

    __table__ = DEAD_LETTERS

    id: Mapped[int]
    #: identity of the failure (source document + location + stage)
    key: Mapped[str]
    connector: Mapped[str]
    source: Mapped[str]
    location: Mapped[str]
    stage: Mapped[str]
    error_class: Mapped[str]
    failure_type: Mapped[str]
    reason: Mapped[str]
    traceback: Mapped[str | None]
    content_type: Mapped[str]
    payload: Mapped[bytes]
    context: Mapped[dict[str, Any]]
    mapping_id: Mapped[str | None]
    mapping_version: Mapped[int | None]
    event_type: Mapped[str | None]
    event_id: Mapped[str | None]
    correlation_id: Mapped[str | None]
    attempts: Mapped[int]
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    status: Mapped[str]
    history: Mapped[list[dict[str, Any]]]
