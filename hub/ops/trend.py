"""The depth trend: total open dead letters sampled at most once a minute, kept for a week.

Samples are taken when the overview or ``/metrics`` is read, so the trend covers the time
someone (or Prometheus) was watching; that is when it is looked at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Engine, Integer, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.declarative import Base

__all__ = ["DepthSampleRow", "depth_trend", "sample_depth"]

_EVERY = timedelta(minutes=1)
_KEEP = timedelta(days=7)


class DepthSampleRow(Base):
    """The number of open dead letters at one moment."""

    __tablename__ = "dead_letter_depth_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    depth: Mapped[int] = mapped_column(Integer)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sample_depth(engine: Engine, depth: int, *, now: datetime | None = None) -> None:
    """Record ``depth`` unless a sample was taken in the last minute."""
    now = now or datetime.now(UTC)
    with Session(engine) as s, s.begin():
        last = s.scalar(select(DepthSampleRow.at).order_by(DepthSampleRow.id.desc()).limit(1))
        if last is not None and now - _aware(last) < _EVERY:
            return
        s.add(DepthSampleRow(at=now, depth=depth))
        s.execute(delete(DepthSampleRow).where(DepthSampleRow.at < now - _KEEP))


def depth_trend(engine: Engine, *, points: int = 60) -> list[tuple[datetime, int]]:
    """The newest ``points`` samples, oldest first."""
    with Session(engine) as s:
        rows = s.execute(
            select(DepthSampleRow.at, DepthSampleRow.depth)
            .order_by(DepthSampleRow.id.desc())
            .limit(points)
        ).all()
    return [(_aware(at), depth) for at, depth in reversed(rows)]
