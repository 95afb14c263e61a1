"""Webhook deliveries already taken: duplicate deliveries are acknowledged, not published again.

A delivery is *claimed* (row ``pending``) before its events are published and *completed*
(``done``) in the same transaction as its dead letters, after the broker confirmed the
events. A re-sent delivery then finds ``done`` and is answered 200 without effect; one that
arrives while the first is still being processed finds ``pending`` and is told to come back
(409), unless the claim is older than the lease (its process died): then it takes it over. A
failed publish releases the claim so the peer's retry is processed. Rows are kept for
``retention``; peers re-send for hours (Shopify: 48 hours), so keep at least that.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import JSON, DateTime, Engine, String, Table, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage import Base, insert_ignoring_duplicates

__all__ = ["Claim", "DeliveryLedger", "WebhookDeliveryRow"]


class WebhookDeliveryRow(Base):
    """One delivery id of one connector instance."""

    __tablename__ = "webhook_deliveries"

    instance: Mapped[str] = mapped_column(String(128), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    event_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


_TABLE = cast(Table, WebhookDeliveryRow.__table__)


class Claim(enum.StrEnum):
    """What a claim found."""

    NEW = "new"
    DUPLICATE = "duplicate"
    IN_PROGRESS = "in_progress"


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were stored as UTC
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class DeliveryLedger:
    """The delivery ids of every webhook instance, in the hub's database."""

    def __init__(self, engine: Engine, *, lease: timedelta = timedelta(seconds=60)) -> None:
        self.engine = engine
        self.lease = lease
        _TABLE.create(engine, checkfirst=True)

    def claim(self, instance: str, delivery_id: str) -> Claim:
        """Take ``delivery_id`` for processing, or say why not."""
        now = datetime.now(UTC)
        row = {
            "instance": instance,
            "delivery_id": delivery_id,
            "status": "pending",
            "claimed_at": now,
            "event_ids": [],
        }
        with self.engine.begin() as conn:
            if insert_ignoring_duplicates(conn, _TABLE, [row], ["instance", "delivery_id"]):
                return Claim.NEW
            found = conn.execute(
                select(_TABLE.c.status, _TABLE.c.claimed_at).where(
                    *self._key(instance, delivery_id)
                )
            ).one_or_none()
            if found is None:  # released between our insert and select: try again once
                inserted = insert_ignoring_duplicates(
                    conn, _TABLE, [row], ["instance", "delivery_id"]
                )
                return Claim.NEW if inserted else Claim.IN_PROGRESS
            if found.status == "done":
                return Claim.DUPLICATE
            if now - _aware(found.claimed_at) < self.lease:
                return Claim.IN_PROGRESS
            # the claimant died: take over, unless someone else just did
            taken = conn.execute(
                update(_TABLE)
                .where(*self._key(instance, delivery_id), _TABLE.c.claimed_at == found.claimed_at)
                .values(claimed_at=now)
            ).rowcount
            return Claim.NEW if taken else Claim.IN_PROGRESS

    def complete(
        self, conn: Connection, instance: str, delivery_id: str, event_ids: list[str]
    ) -> None:
        """Mark done, in the caller's transaction (with the delivery's dead letters)."""
        conn.execute(
            update(_TABLE)
            .where(*self._key(instance, delivery_id))
            .values(status="done", completed_at=datetime.now(UTC), event_ids=event_ids)
        )

    def release(self, instance: str, delivery_id: str) -> None:
        """Give a claim up after a failure, so the peer's retry is processed."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(_TABLE).where(
                    *self._key(instance, delivery_id), _TABLE.c.status == "pending"
                )
            )

    def status(self, instance: str, delivery_id: str) -> dict[str, Any] | None:
        """The stored row of a delivery, if any."""
        with self.engine.connect() as conn:
            found = (
                conn.execute(select(_TABLE).where(*self._key(instance, delivery_id)))
                .mappings()
                .one_or_none()
            )
        return dict(found) if found is not None else None

    def purge(self, older_than: timedelta) -> int:
        """Forget completed deliveries older than ``older_than``; return how many."""
        cutoff = datetime.now(UTC) - older_than
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    delete(_TABLE).where(_TABLE.c.status == "done", _TABLE.c.completed_at < cutoff)
                ).rowcount
            )

    @staticmethod
    def _key(instance: str, delivery_id: str) -> tuple[Any, Any]:
        return (_TABLE.c.instance == instance, _TABLE.c.delivery_id == delivery_id)
