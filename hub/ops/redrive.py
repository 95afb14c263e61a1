"""Bulk redrive as a task: by filter, rate-capped, with progress, cancellable, one per filter.

Like SQS's message-move tasks, and stricter: the letters to move are fixed when the task
starts (open letters matching the filter, up to the newest id then), they are moved in id
order in batches, and each batch is confirmed by the broker before it is marked replayed
(:class:`hub.replay.Replayer`). Cancelling stops between batches; killing the process
leaves at most one confirmed-but-unmarked batch open, replayed again under the same event ids
by the next task. A task whose heartbeat stopped (its process died) is marked ``interrupted``
and no longer blocks a new task for its filter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from connectors.sdk.deadletter import DeadLetterStatus
from hub.deadletter.letters import letters_from, select_letters
from hub.deadletter.model import DeadLetterRow
from hub.declarative import Base
from hub.errors import HubError
from hub.ops.filters import DeadLetterFilter
from hub.ops.pacing import Pacer
from hub.replay import Replayer

__all__ = [
    "RedriveConflict",
    "RedriveStatus",
    "RedriveTaskRow",
    "cancel_redrive",
    "get_redrive",
    "list_redrives",
    "run_redrive",
    "start_redrive",
    "task_json",
]

STALE_AFTER = timedelta(seconds=60)
_BATCH = 500


class RedriveStatus(StrEnum):
    """Where a redrive task is."""

    RUNNING = "running"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


_ACTIVE = (RedriveStatus.RUNNING.value, RedriveStatus.CANCELLING.value)


class RedriveConflict(HubError):
    """A redrive for the same filter is already running."""


class RedriveTaskRow(Base):
    """One bulk redrive: its filter, cap, progress and state."""

    __tablename__ = "redrive_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filter_key: Mapped[str] = mapped_column(String(64))
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    mapping_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    to_move: Mapped[int] = mapped_column(Integer)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    max_id: Mapped[int] = mapped_column(Integer)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    started_by: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def task_json(row: RedriveTaskRow) -> dict[str, Any]:
    """A task as the API shows it."""
    return {
        "id": row.id,
        "status": row.status,
        "filter": row.filter,
        "mapping_version": row.mapping_version,
        "rate": row.rate,
        "to_move": row.to_move,
        "moved": row.moved,
        "failed": row.failed,
        "started_by": row.started_by,
        "started_at": _aware(row.started_at).isoformat(),
        "heartbeat_at": _aware(row.heartbeat_at).isoformat(),
        "finished_at": _aware(row.finished_at).isoformat() if row.finished_at else None,
        "error": row.error,
    }


def start_redrive(
    engine: Engine,
    flt: DeadLetterFilter,
    *,
    actor: str,
    rate: float | None = None,
    mapping_version: int | None = None,
    stale_after: timedelta = STALE_AFTER,
) -> RedriveTaskRow:
    """Record a new task for ``flt``; :class:`RedriveConflict` if one is active for it.

    Only open letters move; the filter's status is ignored for that reason. An active task
    whose heartbeat is older than ``stale_after`` is taken for dead and marked interrupted.
    """
    flt = flt.model_copy(update={"status": DeadLetterStatus.OPEN.value})
    key = flt.key()
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        # a task whose process died (no heartbeat) must not block its filter forever
        s.execute(
            update(RedriveTaskRow)
            .where(
                RedriveTaskRow.filter_key == key,
                RedriveTaskRow.status.in_(_ACTIVE),
                RedriveTaskRow.heartbeat_at <= now - stale_after,
            )
            .values(status=RedriveStatus.INTERRUPTED.value, finished_at=now)
        )
    with engine.connect() as conn:
        found = conn.execute(
            flt.apply(select(func.max(DeadLetterRow.id), func.count()), conn.dialect.name)
        ).one()
    max_id, to_move = found[0], found[1]
    row = RedriveTaskRow(
        filter_key=key,
        filter=flt.model_dump(mode="json"),
        mapping_version=mapping_version,
        rate=rate,
        status=RedriveStatus.RUNNING.value,
        to_move=int(to_move),
        moved=0,
        failed=0,
        max_id=int(max_id or 0),
        cursor=0,
        started_by=actor,
        started_at=now,
        heartbeat_at=now,
    )
    try:
        with Session(engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
    except IntegrityError as exc:
        raise RedriveConflict(
            f"a redrive of this filter is already running: {flt.describe()}"
        ) from exc
    return row


def get_redrive(engine: Engine, task_id: int) -> RedriveTaskRow:
    """One task; ``LookupError`` when unknown."""
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(RedriveTaskRow, task_id)
    if row is None:
        raise LookupError(f"no redrive task {task_id}")
    return row


def list_redrives(engine: Engine, *, limit: int = 50) -> list[RedriveTaskRow]:
    """The newest tasks first."""
    with Session(engine, expire_on_commit=False) as s:
        q = select(RedriveTaskRow).order_by(RedriveTaskRow.id.desc()).limit(limit)
        return list(s.scalars(q))


def cancel_redrive(engine: Engine, task_id: int) -> RedriveTaskRow:
    """Ask a running task to stop after its current batch; a finished task is left as it is."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        s.execute(
            update(RedriveTaskRow)
            .where(
                RedriveTaskRow.id == task_id,
                RedriveTaskRow.status == RedriveStatus.RUNNING.value,
            )
            .values(status=RedriveStatus.CANCELLING.value)
        )
    return get_redrive(engine, task_id)


def run_redrive(
    task_id: int,
    replayer: Replayer,
    *,
    batch: int = _BATCH,
    stop: threading.Event | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> RedriveTaskRow:
    """Move the task's letters until done, cancelled, or ``stop`` is set; return the task."""
    engine = replayer.engine
    task = get_redrive(engine, task_id)
    flt = DeadLetterFilter.model_validate(task.filter)
    pacer = Pacer(task.rate)
    if task.rate is not None:
        # small batches keep a low cap smooth; never below one letter
        batch = max(1, min(batch, int(task.rate)))
    cursor, moved, failed = task.cursor, task.moved, task.failed
    status = RedriveStatus.COMPLETED
    error: str | None = None
    try:
        while True:
            current = get_redrive(engine, task_id).status
            if current == RedriveStatus.CANCELLING.value:
                status = RedriveStatus.CANCELLED
                break
            if current != RedriveStatus.RUNNING.value:  # marked interrupted by a newer task
                status = RedriveStatus(current)
                break
            if stop is not None and stop.is_set():  # the process is shutting down
                status = RedriveStatus.INTERRUPTED
                break
            with engine.connect() as conn:
                letters = letters_from(
                    conn,
                    flt.apply(select_letters(), conn.dialect.name)
                    .where(DeadLetterRow.id > cursor, DeadLetterRow.id <= task.max_id)
                    .order_by(DeadLetterRow.id)
                    .limit(batch),
                )
            if not letters:
                break
            pacer.take(len(letters))
            outcome = replayer.replay(
                letters,
                actor=f"{task.started_by} (redrive {task_id})",
                mapping_version=task.mapping_version,
                via="redrive",
            )
            cursor = letters[-1].id
            moved += len(outcome.replayed)
            failed += len(outcome.failed) + len(outcome.skipped)
            _progress(engine, task_id, cursor=cursor, moved=moved, failed=failed)
            if on_batch is not None:
                on_batch(moved, failed)
    except Exception as exc:  # the task records why it stopped; the letters stay open
        status, error = RedriveStatus.FAILED, f"{type(exc).__name__}: {exc}"
        _finish(engine, task_id, status, error)
        raise
    _finish(engine, task_id, status, error)
    return get_redrive(engine, task_id)


def _progress(engine: Engine, task_id: int, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(RedriveTaskRow)
            .where(RedriveTaskRow.id == task_id)
            .values(heartbeat_at=datetime.now(UTC), **values)
        )


def _finish(engine: Engine, task_id: int, status: RedriveStatus, error: str | None) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            update(RedriveTaskRow)
            .where(RedriveTaskRow.id == task_id, RedriveTaskRow.status.in_(_ACTIVE))
            .values(status=status.value, finished_at=now, heartbeat_at=now, error=error)
        )
