"""A dead letter as a replay reads it: the columns it needs, loaded without the ORM.

Loading ORM instances cost a redrive about a sixth of its time per letter; a replay needs
plain values, so batches are read as rows and wrapped in this small frozen record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection, Row

from hub.deadletter.model import DeadLetterRow

__all__ = ["LETTER_COLUMNS", "Letter", "letters_from", "select_letters"]

LETTER_COLUMNS = (
    DeadLetterRow.id,
    DeadLetterRow.key,
    DeadLetterRow.status,
    DeadLetterRow.connector,
    DeadLetterRow.source,
    DeadLetterRow.location,
    DeadLetterRow.payload,
    DeadLetterRow.content_type,
    DeadLetterRow.context,
    DeadLetterRow.mapping_id,
    DeadLetterRow.mapping_version,
    DeadLetterRow.event_id,
    DeadLetterRow.correlation_id,
    DeadLetterRow.history,
)


@dataclass(frozen=True, slots=True)
class Letter:
    """The parts of a dead letter a replay reads."""

    id: int
    key: str
    status: str
    connector: str
    source: str
    location: str
    payload: bytes
    content_type: str
    context: dict[str, Any]
    mapping_id: str | None
    mapping_version: int | None
    event_id: str | None
    correlation_id: str | None
    history: list[dict[str, Any]]


def select_letters() -> Select[Any]:
    """``SELECT`` of the replay columns, to narrow with a filter."""
    return select(*LETTER_COLUMNS)


def letters_from(conn: Connection, stmt: Select[Any]) -> list[Letter]:
    """Run ``stmt`` (from :func:`select_letters`) and wrap each row."""
    rows: Sequence[Row[Any]] = conn.execute(stmt).all()
    return [Letter(**row._mapping) for row in rows]
