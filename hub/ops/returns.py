"""A replayed letter that fails again comes back as itself, not as a stranger.

When a failure with the identity (key) of a letter already *replayed* is reported again, the
letter is reopened: status open, attempts counted, the new reason in place and a
``failed_again`` entry appended to the history it already had. Without this the unique key
would make the store skip the second failure silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection

from hub.deadletter.model import DeadLetterRow, DeadLetterStatus

__all__ = ["reopen_returned"]

_TABLE = cast(Table, DeadLetterRow.__table__)


def reopen_returned(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Reopen the replayed letters whose keys ``rows`` (as ``DeadLetter.as_row``) carry.

    Returns the keys reopened; the caller inserts the other rows as new letters.
    """
    keys = [r["key"] for r in rows]
    if not keys:
        return set()
    replayed = {
        key: (letter_id, history)
        for key, letter_id, history in conn.execute(
            select(_TABLE.c.key, _TABLE.c.id, _TABLE.c.history).where(
                _TABLE.c.key.in_(keys), _TABLE.c.status == DeadLetterStatus.REPLAYED.value
            )
        )
    }
    if not replayed:
        return set()
    now = datetime.now(UTC)
    updates = []
    for row in rows:
        found = replayed.get(row["key"])
        if found is None:
            continue
        letter_id, history = found
        entry = {
            "action": "failed_again",
            "actor": "hub",
            "at": now.isoformat(),
            "stage": row["stage"],
            "error_class": row["error_class"],
            "reason": row["reason"],
        }
        updates.append(
            {
                "b_id": letter_id,
                "b_reason": row["reason"],
                "b_error_class": row["error_class"],
                "b_at": now,
                "b_history": [*history, entry],
            }
        )
    conn.execute(
        _TABLE.update()
        .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.status == DeadLetterStatus.REPLAYED.value)
        .values(
            status=DeadLetterStatus.OPEN.value,
            attempts=_TABLE.c.attempts + 1,
            reason=bindparam("b_reason"),
            error_class=bindparam("b_error_class"),
            last_failed_at=bindparam("b_at"),
            history=bindparam("b_history"),
        ),
        updates,
    )
    return set(replayed)
