"""Writing, reading and changing the state of dead letters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from hub.deadletter.letter import DeadLetter, DeadLetterStatus, describe_error, failure_key
from hub.deadletter.model import DeadLetterRow
from hub.errors import DeadLetterError
from hub.storage import insert_ignoring_duplicates

__all__ = ["DeadLetter", "DeadLetterStore", "describe_error", "failure_key"]

_TABLE = cast(Table, DeadLetterRow.__table__)


class DeadLetterStore:
    """The dead letters of one hub database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def add_many(conn: Connection, letters: Sequence[DeadLetter]) -> int:
        """Store ``letters`` in the caller's transaction; a letter already stored is skipped."""
        now = datetime.now(UTC)
        return DeadLetterStore.add_rows(conn, [d.as_row(now) for d in letters])

    @staticmethod
    def add_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Store letters already rendered by :meth:`DeadLetter.as_row` (e.g. in a worker).

        A letter already replayed that fails again is reopened with its history kept
        (:func:`hub.ops.returns.reopen_returned`), not skipped as a duplicate.
        """
        from hub.ops.returns import reopen_returned

        reopened = reopen_returned(conn, rows)
        fresh = [r for r in rows if r["key"] not in reopened] if reopened else rows
        return insert_ignoring_duplicates(conn, _TABLE, fresh, ["key"]) + len(reopened)

    def add(self, letter: DeadLetter) -> None:
        """Store one letter in its own transaction."""
        with self.engine.begin() as conn:
            self.add_many(conn, [letter])

    def list(
        self,
        *,
        status: str | None = DeadLetterStatus.OPEN.value,
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

    def count(self, *, status: str | None = DeadLetterStatus.OPEN.value) -> int:
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

    def record_action(
        self,
        conn: Connection,
        letter_id: int,
        *,
        action: str,
        actor: str,
        new_status: DeadLetterStatus,
        expect_status: DeadLetterStatus = DeadLetterStatus.OPEN,
        **details: Any,
    ) -> None:
        """Move a letter to ``new_status`` and append the action to its history, atomically.

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
            _TABLE.update()
            .where(_TABLE.c.id == letter_id, _TABLE.c.status == expect_status.value)
            .values(status=new_status.value, history=[*row.history, entry])
        )
        if updated.rowcount != 1:
            raise DeadLetterError(f"dead letter {letter_id} changed while {action} was under way")

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
