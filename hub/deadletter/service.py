"""The dead-letter service: storing dead letters and every change of a letter's status.

This module alone writes to the dead-letter table. Pipelines, the SDK's runner (through the
hub's event bus), webhooks and routing deliveries store letters with :meth:`add_many`;
operators' replays, edit-and-replays, redrives and discards (ops API, page and CLI) and
routing's redelivery move them with :meth:`mark_replayed`, :meth:`record_replay_failures`,
:meth:`discard` and :meth:`record_action`. Every change appends to the letter's history and
is guarded by the status it expects, so two operators racing on one letter cannot both act.

A letter already *replayed* whose failure is reported again (a later stage fails on the
replayed event) comes back as itself: reopened, attempts counted, the new reason in place and a
``failed_again`` entry in the history it had (:meth:`add_rows`), rather than skipped silently
as a duplicate of its unique key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from connectors.sdk.deadletter import DeadLetter, DeadLetterStatus
from hub.deadletter.model import DeadLetterRow
from hub.deadletter.table import DEAD_LETTERS
from hub.errors import DeadLetterError
from hub.storage import insert_ignoring_duplicates

__all__ = ["DeadLetterService", "ReplayFailure", "ReplayMark", "history_entry"]

_OPEN = DeadLetterStatus.OPEN.value

#: a letter's history: one entry per action, oldest first (module-level: the class has a
#: method called list)
History = list[dict[str, Any]]


def history_entry(action: str, actor: str, at: datetime, **details: Any) -> dict[str, Any]:
    """One entry of a letter's history (details that are None are left out)."""
    return {
        "action": action,
        "actor": actor,
        "at": at.isoformat(),
        **{k: v for k, v in details.items() if v is not None},
    }


@dataclass(frozen=True, slots=True)
class ReplayMark:
    """A letter whose replay the broker confirmed: mark it replayed with this history entry."""

    letter_id: int
    history: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ReplayFailure:
    """A letter that failed again while replaying: it stays open with this reason and entry."""

    letter_id: int
    reason: str
    history: list[dict[str, Any]]


class DeadLetterService:
    """The dead letters of one hub database (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- storing ---------------------------------------------------------------------------------
    @staticmethod
    def add_many(conn: Connection, letters: Sequence[DeadLetter]) -> int:
        """Store ``letters`` in the caller's transaction; a letter already stored is skipped."""
        now = datetime.now(UTC)
        return DeadLetterService.add_rows(conn, [d.as_row(now) for d in letters])

    @staticmethod
    def add_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Store letters already rendered by :meth:`DeadLetter.as_row` (e.g. in a worker).

        A letter already replayed that fails again is reopened with its history kept, not
        skipped as a duplicate.
        """
        reopened = _reopen_returned(conn, rows)
        fresh = [r for r in rows if r["key"] not in reopened] if reopened else rows
        return insert_ignoring_duplicates(conn, DEAD_LETTERS, fresh, ["key"]) + len(reopened)

    def add(self, letter: DeadLetter) -> None:
        """Store one letter in its own transaction."""
        with self.engine.begin() as conn:
            self.add_many(conn, [letter])

    # -- reading ---------------------------------------------------------------------------------
    def list(
        self,
        *,
        status: str | None = _OPEN,
        connector: str | None = None,
        stage: str | None = None,
        after_id: int = 0,
        limit: int = 50,
    ) -> list[DeadLetterRow]:
        """Dead letters in id order, filtered, ``limit`` at a time from ``after_id`` (a cursor)."""
        stmt = select(DeadLetterRow).where(DeadLetterRow.id > after_id)
        if status:
            stmt = stmt.where(DeadLetterRow.status == status)
        if connector:
            stmt = stmt.where(DeadLetterRow.connector == connector)
        if stage:
            stmt = stmt.where(DeadLetterRow.stage == stage)
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(stmt.order_by(DeadLetterRow.id).limit(limit)))

    def count(self, *, status: str | None = _OPEN) -> int:
        """How many dead letters there are (in ``status``, or all)."""
        stmt = select(func.count()).select_from(DeadLetterRow)
        if status:
            stmt = stmt.where(DeadLetterRow.status == status)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def get(self, letter_id: int) -> DeadLetterRow:
        """One dead letter; :class:`DeadLetterError` when there is none with that id."""
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.get(DeadLetterRow, letter_id)
        if row is None:
            raise DeadLetterError(f"no dead letter with id {letter_id}")
        return row

    # -- changing status -------------------------------------------------------------------------
    @staticmethod
    def record_action(
        conn: Connection,
        letter_id: int,
        *,
        action: str,
        actor: str,
        new_status: DeadLetterStatus,
        expect_status: DeadLetterStatus = DeadLetterStatus.OPEN,
        **details: Any,
    ) -> None:
        """Move one letter to ``new_status`` and append the action to its history, atomically.

        Refuses (DeadLetterError) when the letter is not in ``expect_status``: a letter replayed
        once is not replayed again by a second operator racing the first.
        """
        row = conn.execute(
            select(DeadLetterRow.status, DeadLetterRow.history).where(DeadLetterRow.id == letter_id)
        ).first()
        if row is None:
            raise DeadLetterError(f"no dead letter with id {letter_id}")
        if row.status != expect_status.value:
            raise DeadLetterError(
                f"dead letter {letter_id} is {row.status}, not {expect_status.value}: "
                f"cannot {action} it"
            )
        entry = {"action": action, "actor": actor, "at": datetime.now(UTC).isoformat(), **details}
        updated = conn.execute(
            DEAD_LETTERS.update()
            .where(DEAD_LETTERS.c.id == letter_id, DEAD_LETTERS.c.status == expect_status.value)
            .values(status=new_status.value, history=[*row.history, entry])
        )
        if updated.rowcount != 1:
            raise DeadLetterError(f"dead letter {letter_id} changed while {action} was under way")

    @staticmethod
    def mark_replayed(conn: Connection, marks: Sequence[ReplayMark]) -> None:
        """Mark letters replayed once the broker confirmed their events.

        "Still open" guards a letter another operator replayed or discarded meanwhile; its
        event went out under the deterministic id, so consumers keep one.
        """
        if marks:
            conn.execute(
                DEAD_LETTERS.update()
                .where(DEAD_LETTERS.c.id == bindparam("b_id"), DEAD_LETTERS.c.status == _OPEN)
                .values(status=DeadLetterStatus.REPLAYED.value, history=bindparam("b_history")),
                [{"b_id": m.letter_id, "b_history": m.history} for m in marks],
            )

    @staticmethod
    def record_replay_failures(conn: Connection, failures: Sequence[ReplayFailure]) -> None:
        """Letters that failed again while replaying stay open: attempts counted, reason new."""
        if failures:
            now = datetime.now(UTC)
            conn.execute(
                DEAD_LETTERS.update()
                .where(DEAD_LETTERS.c.id == bindparam("b_id"), DEAD_LETTERS.c.status == _OPEN)
                .values(
                    attempts=DEAD_LETTERS.c.attempts + 1,
                    reason=bindparam("b_reason"),
                    last_failed_at=bindparam("b_at"),
                    history=bindparam("b_history"),
                ),
                [
                    {"b_id": f.letter_id, "b_reason": f.reason, "b_at": now, "b_history": f.history}
                    for f in failures
                ],
            )

    @staticmethod
    def discard_rows(
        conn: Connection, rows: Sequence[tuple[int, History]], entry: dict[str, Any]
    ) -> int:
        """Discard the open letters of ``rows`` (id, history so far); how many were open."""
        if not rows:
            return 0
        result = conn.execute(
            DEAD_LETTERS.update()
            .where(DEAD_LETTERS.c.id == bindparam("b_id"), DEAD_LETTERS.c.status == _OPEN)
            .values(status=DeadLetterStatus.DISCARDED.value, history=bindparam("b_h")),
            [{"b_id": letter_id, "b_h": [*history, entry]} for letter_id, history in rows],
        )
        return max(int(result.rowcount or 0), 0)

    def discard(self, letter_id: int, *, actor: str, reason: str) -> None:
        """Mark a letter discarded, keeping it and the reason (nothing is deleted)."""
        if not reason.strip():
            raise DeadLetterError("a discard needs a reason")
        with self.engine.begin() as conn:
            self.record_action(
                conn,
                letter_id,
                action="discard",
                actor=actor,
                new_status=DeadLetterStatus.DISCARDED,
                reason=reason,
            )


def _reopen_returned(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Reopen the replayed letters whose keys ``rows`` carry; the keys reopened."""
    keys = [r["key"] for r in rows]
    if not keys:
        return set()
    replayed = {
        key: (letter_id, history)
        for key, letter_id, history in conn.execute(
            select(DEAD_LETTERS.c.key, DEAD_LETTERS.c.id, DEAD_LETTERS.c.history).where(
                DEAD_LETTERS.c.key.in_(keys),
                DEAD_LETTERS.c.status == DeadLetterStatus.REPLAYED.value,
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
        entry = history_entry(
            "failed_again",
            "hub",
            now,
            stage=row["stage"],
            error_class=row["error_class"],
            reason=row["reason"],
        )
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
        DEAD_LETTERS.update()
        .where(
            DEAD_LETTERS.c.id == bindparam("b_id"),
            DEAD_LETTERS.c.status == DeadLetterStatus.REPLAYED.value,
        )
        .values(
            status=_OPEN,
            attempts=DEAD_LETTERS.c.attempts + 1,
            reason=bindparam("b_reason"),
            error_class=bindparam("b_error_class"),
            last_failed_at=bindparam("b_at"),
            history=bindparam("b_history"),
        ),
        updates,
    )
    return set(replayed)
