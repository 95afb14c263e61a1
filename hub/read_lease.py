"""One reader per source instance at a time: a lease in the hub's database, renewed while held.

A running hub polls its sources, and an operator's cron job may run ``crossdock connector read``
on the same instance. Two readers starting from one stored state would fetch the same records
twice, and whichever saved its state last could move the other's checkpoint backwards. Each
read therefore takes the instance's lease first; a second reader gets :class:`SourceBusy`
(decided as "retry": the poller tries again when the source is next due).

The lease expires ``ttl`` seconds after it was last renewed, so a reader that was killed frees
its source without anyone's help; a live reader renews it from a thread every third of ``ttl``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import cast

from sqlalchemy import DateTime, Engine, String, Table, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from hub.errors import SourceBusy
from hub.storage import Base

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_LEASE_SECONDS", "ReadLease", "ReadLeaseRow"]

#: how long a lease outlives its holder's last renewal
DEFAULT_LEASE_SECONDS = 120.0


class ReadLeaseRow(Base):
    """Who reads a source instance now, and until when unless they renew."""

    __tablename__ = "connector_read_leases"

    instance: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_TABLE = cast(Table, ReadLeaseRow.__table__)


class ReadLease:
    """The read lease of one source instance, as a context manager around one read."""

    def __init__(
        self, engine: Engine, instance: str, *, ttl: float = DEFAULT_LEASE_SECONDS
    ) -> None:
        self.engine = engine
        self.instance = instance
        self.ttl = ttl
        #: this reader, as another reader's error names it: host, pid and a per-lease suffix
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        _TABLE.create(engine, checkfirst=True)

    def __enter__(self) -> ReadLease:
        self.acquire()
        self._stop.clear()
        self._renewer = threading.Thread(
            target=self._keep, name=f"lease-{self.instance}", daemon=True
        )
        self._renewer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        self.release()

    def acquire(self) -> None:
        """Take the lease, or raise :class:`SourceBusy` naming the reader that holds it."""
        if self._take():
            return
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_TABLE.c.holder, _TABLE.c.expires_at).where(
                    _TABLE.c.instance == self.instance
                )
            ).one_or_none()
        if row is None:  # released since: another reader took it first, or no one did
            if self._take():
                return
            raise SourceBusy(self.instance, "another reader")
        until = row.expires_at.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
        raise SourceBusy(self.instance, row.holder, until)

    def renew(self) -> bool:
        """Push the expiry ``ttl`` seconds ahead; False when the lease is no longer ours."""
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    _TABLE.update()
                    .where(_TABLE.c.instance == self.instance, _TABLE.c.holder == self.holder)
                    .values(expires_at=self._expiry())
                ).rowcount
            )

    def release(self) -> None:
        """Give the lease up (a lease taken over by another reader is left to it)."""
        with self.engine.begin() as conn:
            conn.execute(
                _TABLE.delete().where(
                    _TABLE.c.instance == self.instance, _TABLE.c.holder == self.holder
                )
            )

    def _expiry(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.ttl)

    def _take(self) -> bool:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            # an expired lease (its reader died or stalled) is taken over in place
            taken = conn.execute(
                _TABLE.update()
                .where(
                    _TABLE.c.instance == self.instance,
                    or_(_TABLE.c.expires_at < now, _TABLE.c.holder == self.holder),
                )
                .values(holder=self.holder, expires_at=self._expiry())
            ).rowcount
            if taken:
                return True
            try:
                with conn.begin_nested():
                    conn.execute(
                        _TABLE.insert().values(
                            instance=self.instance, holder=self.holder, expires_at=self._expiry()
                        )
                    )
            except IntegrityError:  # a live lease, or one inserted by a reader just now
                return False
        return True

    def _keep(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                if not self.renew():
                    log.warning(
                        "the read lease of %r was taken over while this read ran (stalled past "
                        "%.0f s?); the other reader may fetch the same records",
                        self.instance,
                        self.ttl,
                    )
                    return
            except Exception:  # the database may be back at the next renewal
                log.exception("renewing the read lease of %r failed", self.instance)
