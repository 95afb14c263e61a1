"""The dead-letter table: everything needed to understand, fix and replay a failed record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connectors.sdk.deadletter import DeadLetterStatus
from hub.storage import Base

__all__ = ["DeadLetterRow"]


class DeadLetterRow(Base):
    """One record that could not be processed, with its original bytes."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: identity of the failure (source document + location + stage): a re-run of the same file
    #: after a crash adds no second dead letter for the same row
    key: Mapped[str] = mapped_column(String(64), unique=True)
    connector: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(32))
    error_class: Mapped[str] = mapped_column(String(200))
    failure_type: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mapping_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    mapping_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event_type: Mapped[str | None] = mapped_column(String(128), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    correlation_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=DeadLetterStatus.OPEN.value)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_dead_letters_status_connector", "status", "connector", "stage"),
        Index("ix_dead_letters_last_failed_at", "last_failed_at"),
    )
