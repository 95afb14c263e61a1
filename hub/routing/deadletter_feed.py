"""Dead letters as routable events: ``crossdock.deadletter.recorded``, one per dead letter.

Each event carries the letter's connector, stage, reason and store (``location_id`` from the
letter's context, when the connector put one there) plus ``recent_count``: how many letters the
same connector produced in the ``window`` before this one — what a burst rule compares. Letters
of routing's own deliveries (``routing:*`` connectors) are left out, so a failing target cannot
feed on itself. Event ids are ``dl-<letter id>``: feeding the same letter twice is a duplicate
the router drops.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.deadletter import DeadLetterRow

__all__ = ["DEAD_LETTER_EVENT", "dead_letter_events"]

DEAD_LETTER_EVENT = "crossdock.deadletter.recorded"
"""Event type of a dead letter fed to the routing rules."""


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def dead_letter_events(
    engine: Engine,
    *,
    after_id: int = 0,
    window: timedelta = timedelta(minutes=15),
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Events for the dead letters with id above ``after_id``, oldest first."""
    with Session(engine) as conn:
        letters = conn.scalars(
            select(DeadLetterRow)
            .where(DeadLetterRow.id > after_id, ~DeadLetterRow.connector.startswith("routing"))
            .order_by(DeadLetterRow.id)
            .limit(limit)
        ).all()
        events = []
        for letter in letters:
            at = _aware(letter.last_failed_at)
            recent = conn.execute(
                select(func.count())
                .select_from(DeadLetterRow)
                .where(
                    DeadLetterRow.connector == letter.connector,
                    DeadLetterRow.id <= letter.id,
                    DeadLetterRow.last_failed_at >= at - window,
                )
            ).scalar_one()
            context = letter.context or {}
            data: dict[str, Any] = {
                "dead_letter_id": letter.id,
                "connector": letter.connector,
                "stage": letter.stage,
                "reason": letter.reason[:500],
                "error_class": letter.error_class,
                "failure_type": letter.failure_type,
                "location": letter.location,
                "recent_count": int(recent),
            }
            store = context.get("location_id") or context.get("store")
            if store:
                data["location_id"] = str(store)
            events.append(
                {
                    "specversion": "1.0",
                    "id": f"dl-{letter.id}",
                    "source": "crossdock://hub/deadletter",
                    "type": DEAD_LETTER_EVENT,
                    "time": at.isoformat(),
                    "dataversion": 1,
                    "data": data,
                }
            )
    return events
