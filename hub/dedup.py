"""Consumer-side dedup: the bus delivers at least once, a consumer acts at most once per id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import DateTime, String, Table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from hub.declarative import Base
from hub.storage import insert_ignoring_duplicates

__all__ = ["ProcessedEventRow", "claim_events"]


class ProcessedEventRow(Base):
    """An event id a consumer has already acted on."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_TABLE = cast(Table, ProcessedEventRow.__table__)


def claim_events(conn: Connection, consumer: str, event_ids: Iterable[str]) -> set[str]:
    """Record ``event_ids`` for ``consumer``; return those not seen before.

    Run it in the same transaction as the consumer's own work, so "seen" and "done" commit
    together; a duplicate delivery then finds its id claimed and is acked without effect.
    """
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return set()
    now = datetime.now(UTC)
    rows = [{"consumer": consumer, "event_id": i, "processed_at": now} for i in ids]
    # RETURNING reports only the rows this transaction inserted: under concurrent consumers the
    # loser of a race gets nothing back for that id, so exactly one of them acts on it.
    return set(insert_ignoring_duplicates(conn, _TABLE, rows, ["consumer", "event_id"], "event_id"))
