"""Webhook deliveries already taken: a re-sent delivery is acknowledged, not published again.

A delivery id is inserted in a transaction that commits only after the broker confirmed the
delivery's events (and with its dead letters): the insert tells new ids from ids taken before
in one statement, and a failed publish rolls it back so the peer's re-send is taken. A crash
between confirm and commit makes the re-send publish the events again, with the same
deterministic ids (consumers keep one); a re-send after the commit is answered 200 without
effect. Rows are kept for ``purge``'s cut-off;
peers re-send for hours (Shopify: 48 hours), so keep at least that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import JSON, DateTime, Engine, String, Table, delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from connectors.sdk.webhook import DeliveryKey
from hub.declarative import Base
from hub.storage import insert_ignoring_duplicates

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

    @staticmethod
    def take(
        conn: Connection,
        instance: str,
        deliveries: Sequence[tuple[Sequence[DeliveryKey], list[str]]],
    ) -> list[bool]:
        """Insert each delivery's keys with its event ids in the caller's transaction; say per
        delivery whether it is new (none of its keys taken before).

        A key with a window counts only while it is younger than the window: older rows of such
        keys are deleted first, so the same body sent on purpose later is taken again. The keys
        of one call must be distinct (the committer drops copies within a group first).
        """
        now = datetime.now(UTC)
        for window, values in _expired_by_window(deliveries).items():
            conn.execute(
                delete(_TABLE).where(
                    _TABLE.c.instance == instance,
                    _TABLE.c.delivery_id.in_(values),
                    _TABLE.c.taken_at < now - timedelta(seconds=window),
                )
            )
        rows = [
            {"instance": instance, "delivery_id": key.value, "taken_at": now, "event_ids": e}
            for keys, e in deliveries
            for key in keys
        ]
        inserted = set(
            insert_ignoring_duplicates(
                conn, _TABLE, rows, ["instance", "delivery_id"], "delivery_id"
            )
        )
        return [all(key.value in inserted for key in keys) for keys, _ in deliveries]

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


def _expired_by_window(
    deliveries: Sequence[tuple[Sequence[DeliveryKey], list[str]]],
) -> dict[float, list[str]]:
    """The windowed keys of ``deliveries``, grouped by window length."""
    found: dict[float, list[str]] = {}
    for keys, _ in deliveries:
        for key in keys:
            if key.window_seconds is not None:
                found.setdefault(key.window_seconds, []).append(key.value)
    return found
