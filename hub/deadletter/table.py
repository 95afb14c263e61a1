"""The dead-letter table: everything needed to understand, fix and replay a failed record.

Declared in Core, so that what only reads letters (``crossdock dlq list``, the console's pages
and counts) works on it without importing the ORM; :class:`hub.deadletter.model.DeadLetterRow`
maps the same table for the code that loads and changes letters as objects.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, LargeBinary, String, Table, Text

from connectors.sdk.deadletter import DeadLetterStatus
from hub.storage import METADATA

__all__ = ["DEAD_LETTERS"]

DEAD_LETTERS = Table(
    "dead_letters",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # identity of the failure (source document + location + stage): a re-run of the same file
    # after a crash adds no second dead letter for the same row
    Column("key", String(64), unique=True, nullable=False),
    Column("connector", String(128), nullable=False),
    Column("source", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("error_class", String(200), nullable=False),
    Column("failure_type", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("traceback", Text, nullable=True),
    Column("content_type", String(100), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("context", JSON, default=dict, nullable=False),
    Column("mapping_id", String(128), nullable=True),
    Column("mapping_version", Integer, nullable=True),
    Column("event_type", String(128), nullable=True),
    Column("event_id", String(64), nullable=True),
    Column("correlation_id", String(128), nullable=True),
    Column("attempts", Integer, default=1, nullable=False),
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), default=DeadLetterStatus.OPEN.value, nullable=False),
    Column("history", JSON, default=list, nullable=False),
    Index("ix_dead_letters_status_connector", "status", "connector", "stage"),
    Index("ix_dead_letters_last_failed_at", "last_failed_at"),
)
"""One record that could not be processed, with its original bytes."""
