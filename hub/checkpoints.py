"""Durable read positions, so a restarted source resumes where its last confirmed batch ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from hub.declarative import Base

__all__ = ["Checkpoint", "CheckpointRow", "load_checkpoint", "save_checkpoint"]


class CheckpointRow(Base):
    """Position reached in one source document."""

    __tablename__ = "checkpoints"

    #: the document's identity (e.g. file name + size + sha256), not its path alone: a new file
    #: with an old name starts from the top
    source_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger)
    line: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[int] = mapped_column(Integer, default=0)
    dead_lettered: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_TABLE = cast(Table, CheckpointRow.__table__)


class Checkpoint:
    """A position read back from the table."""

    __slots__ = ("dead_lettered", "done", "line", "offset", "published")

    def __init__(self, offset: int, line: int, done: bool, published: int, dead: int) -> None:
        self.offset = offset
        self.line = line
        self.done = done
        self.published = published
        self.dead_lettered = dead


def load_checkpoint(conn: Connection, source_key: str) -> Checkpoint | None:
    """The saved position for ``source_key``, or None when the document is new."""
    row = conn.execute(
        select(
            CheckpointRow.offset,
            CheckpointRow.line,
            CheckpointRow.done,
            CheckpointRow.published,
            CheckpointRow.dead_lettered,
        ).where(CheckpointRow.source_key == source_key)
    ).first()
    return None if row is None else Checkpoint(*row)


def save_checkpoint(
    conn: Connection,
    source_key: str,
    *,
    offset: int,
    line: int,
    done: bool = False,
    published: int = 0,
    dead_lettered: int = 0,
) -> None:
    """Record the position (within the caller's transaction, beside its dead letters)."""
    table = _TABLE
    values = {
        "offset": offset,
        "line": line,
        "done": done,
        "published": published,
        "dead_lettered": dead_lettered,
        "updated_at": datetime.now(UTC),
    }
    updated = conn.execute(table.update().where(table.c.source_key == source_key).values(**values))
    if not updated.rowcount:
        conn.execute(table.insert().values(source_key=source_key, **values))
