"""Webhook deliveries already taken: a re-sent delivery is acknowledged, not published again.

A delivery id is recorded in the same transaction as the delivery's dead letters, after the
broker confirmed its events. A crash between the two makes the peer's re-send publish the
events again, with the same deterministic ids (consumers keep one); a re-send after the
record finds it and is answered 200 without effect. Rows are kept for ``purge``'s cut-off;
peers re-send for hours (Shopify: 48 hours), so keep at least that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import JSON, DateTime, Engine, String, Table, delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage import Base, insert_ignoring_duplicates

__all__ = ["DeliveryLedger", "WebhookDeliveryRow"]


class WebhookDeliveryRow(Base):
    """One delivery id of one connector instance, taken."""

    __tablename__ = "webhook_deliveries"

    instance: Mapped[str] = mapped_column(String(128), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    event_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


_TABLE = cast(Table, WebhookDeliveryRow.__table__)


class DeliveryLedger:
    """The delivery ids of every webhook instance, in the hub's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        _TABLE.create(engine, checkfirst=True)

    @staticmethod
    def seen(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of ``(instance, delivery_id)`` were taken before."""
        by_instance: dict[str, list[str]] = {}
        for instance, delivery in keys:
            by_instance.setdefault(instance, []).append(delivery)
        found: set[tuple[str, str]] = set()
        for instance, ids in by_instance.items():
            rows = conn.execute(
                select(_TABLE.c.delivery_id).where(
                    _TABLE.c.instance == instance, _TABLE.c.delivery_id.in_(ids)
                )
            )
            found.update((instance, r.delivery_id) for r in rows)
        return found

    @staticmethod
    def record(conn: Connection, taken: Sequence[tuple[str, str, list[str]]]) -> int:
        """Record ``(instance, delivery_id, event_ids)`` in the caller's transaction."""
        now = datetime.now(UTC)
        rows = [
            {"instance": i, "delivery_id": d, "taken_at": now, "event_ids": e} for i, d, e in taken
        ]
        return insert_ignoring_duplicates(conn, _TABLE, rows, ["instance", "delivery_id"])

    def get(self, instance: str, delivery_id: str) -> dict[str, Any] | None:
        """The stored row of a delivery, if any."""
        with self.engine.connect() as conn:
            found = (
                conn.execute(
                    select(_TABLE).where(
                        _TABLE.c.instance == instance, _TABLE.c.delivery_id == delivery_id
                    )
                )
                .mappings()
                .one_or_none()
            )
        return dict(found) if found is not None else None

    def purge(self, older_than: timedelta) -> int:
        """Forget deliveries taken before ``older_than`` ago; return how many."""
        cutoff = datetime.now(UTC) - older_than
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_TABLE).where(_TABLE.c.taken_at < cutoff)).rowcount)
