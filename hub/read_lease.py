"""One reader per source instance at a time: a lease in the hub's database, renewed while held.

A running hub polls its sources, and an operator's cron job may run ``crossdock connector read``
on the same instance. Two readers starting from one stored state would fetch the same records
twice, and whichever saved its state last could move the other's checkpoint backwards. Each
read therefore takes the instance's lease first; a second reader gets :class:`SourceBusy`
(decided as "retry": the poller tries again when the source is next due).

The lease expires ``ttl`` seconds after it was last renewed, so a reader that was killed frees
its source without anyone's help; a live reader renews it from a thread every third of ``ttl``.
Not waiting those two minutes: ``crossdock connector unlock NAME`` (:func:`unlock`) releases the
lease of a reader that is gone, checked by its process id on this host.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import cast

from sqlalchemy import DateTime, Engine, String, Table, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from hub.declarative import Base
from hub.errors import SourceBusy

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "LeaseHolder",
    "ReadLease",
    "ReadLeaseRow",
    "Unlocked",
    "unlock",
]

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
        self,
        engine: Engine,
        instance: str,
        *,
        ttl: float = DEFAULT_LEASE_SECONDS,
        take_from_dead: bool = False,
    ) -> None:
        self.engine = engine
        self.instance = instance
        self.ttl = ttl
        #: take over at once a lease whose holder is a process gone from this host (instead of
        #: waiting for it to expire); sources leave that to ``crossdock connector unlock``
        self.take_from_dead = take_from_dead
        #: this reader, as another reader's error names it: host, pid and a per-lease suffix
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

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
        if self.take_from_dead and LeaseHolder.parse(row.holder).alive() is False:
            with self.engine.begin() as conn:
                taken = conn.execute(
                    _TABLE.update()
                    .where(_TABLE.c.instance == self.instance, _TABLE.c.holder == row.holder)
                    .values(holder=self.holder, expires_at=self._expiry())
                ).rowcount
            if taken:
                log.info(
                    "%s: taken over from %s, a process gone from this host",
                    self.instance,
                    row.holder,
                )
                return
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


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds a lease: the host, the process id and the lease's own suffix."""

    host: str
    pid: int | None
    text: str

    @classmethod
    def parse(cls, holder: str) -> LeaseHolder:
        """What :class:`ReadLease` wrote: ``host:pid:suffix``."""
        host, _, rest = holder.partition(":")
        pid_text = rest.partition(":")[0]
        return cls(host, int(pid_text) if pid_text.isdigit() else None, holder)

    def alive(self) -> bool | None:
        """True/False for a reader on this host (its process exists or not); None elsewhere."""
        if self.host != socket.gethostname() or self.pid is None:
            return None
        try:
            os.kill(self.pid, 0)  # signal 0: is there such a process (ours or not)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


@dataclass(frozen=True, slots=True)
class Unlocked:
    """What :func:`unlock` found and did."""

    #: the holder found (None: no lease was held)
    holder: LeaseHolder | None
    released: bool
    why: str


def unlock(engine: Engine, instance: str, *, force: bool = False) -> Unlocked:
    """Release ``instance``'s read lease when its reader is gone, so a read can start now.

    Gone: the lease expired, or its holder ran on this host and its process no longer exists.
    A live reader keeps its lease; a reader on another host cannot be checked from here and
    keeps it unless ``force`` (its host named, for whoever checks it there).
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(_TABLE.c.holder, _TABLE.c.expires_at).where(_TABLE.c.instance == instance)
        ).one_or_none()
    if row is None:
        return Unlocked(None, False, "no reader holds it")
    holder = LeaseHolder.parse(row.holder)
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    alive = holder.alive()
    if expires < datetime.now(UTC):
        why = "its lease had expired"
    elif alive is False:
        why = f"process {holder.pid} is gone from {holder.host}"
    elif alive is True:
        return Unlocked(holder, False, f"process {holder.pid} on this host still reads it")
    elif not force:
        return Unlocked(
            holder,
            False,
            f"it is held from host {holder.host}, which cannot be checked from here: check "
            "that its reader is gone, then unlock with --force",
        )
    else:
        why = f"released by force (held from host {holder.host})"
    with engine.begin() as conn:
        # only that holder's lease: a reader that took it over meanwhile keeps its own
        gone = conn.execute(
            _TABLE.delete().where(_TABLE.c.instance == instance, _TABLE.c.holder == row.holder)
        ).rowcount
    if not gone:
        return Unlocked(holder, False, "another reader took the lease over meanwhile")
    return Unlocked(holder, True, why)
