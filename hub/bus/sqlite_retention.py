"""Retention of what the embedded bus kept because no queue was bound for it.

A message published to an exchange no queue is bound for is kept in the exchange's unrouted
queue (:func:`hub.bus.topology.unrouted_queue`), never dropped. A hub that routes its own
events in process (``crossdock run``) binds nothing for them, so without a subscriber every
batch message it publishes is kept there: the bus file would grow by every input, forever.
Retention bounds that queue the way Kafka's ``retention.ms``/``retention.bytes`` and
RabbitMQ's ``message-ttl``/``max-length`` bound theirs (options of
:class:`~hub.bus.sqlite_options.SqliteBusOptions`, set from ``unrouted:`` in crossdock.yaml):

- ``unrouted_max_age``: a kept message older than this is dropped;
- ``unrouted_max_messages`` / ``unrouted_max_bytes``: past either, the oldest are dropped.

0 for all three keeps everything (the transport's default; the hub's is 7 days).

**What it touches.** Only ready rows the bus kept itself: those have ``published`` set. A
message of a bound queue, one published to the unrouted queue by name, a reserved one (a
consumer is reading it) and a dead letter (in the hub's database, not on the bus) are never
dropped. Every query reads the ages from the ready index (``published`` is its last column).

**When.** When a channel opens, and then at most every ``retention_interval`` seconds while it
keeps unrouted messages: a check that finds nothing to drop reads the queue's entries of the
ready index, without the write lock; the publish itself only writes the time into its row and
index entry (Kafka, too, checks retention on an interval rather than per message). So a limit
can be exceeded by what one interval publishes.

**Said, not silent.** Every drop is logged as a warning naming the queue, how many messages and
bytes, and which limit; the channel counts them (:attr:`Channel.unrouted_dropped`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.bus.sqlite_options import SqliteBusOptions
from hub.bus.sqlite_store import LEGACY_KEPT_SINCE, LEGACY_KEPT_UPTO

__all__ = ["Dropped", "apply_retention", "dropped_in_process", "kept_queues"]

logger = logging.getLogger(__name__)

#: one transaction runner: the channel's (BEGIN IMMEDIATE … COMMIT under its lock)
Write = Callable[[Callable[[sqlite3.Connection], Any]], Any]

_SUFFIX = ".unrouted"  # hub.bus.topology.unrouted_queue's

# what this process dropped, whichever connection's channel did it (a run opens several): a
# running total and the last drop, not a list that grows as long as the hub runs
_TALLY_LOCK = threading.Lock()
_TALLY: list[Any] = [0, None]


@dataclass(frozen=True, slots=True)
class Dropped:
    """Kept messages one retention limit dropped from one unrouted queue."""

    queue: str
    messages: int
    bytes: int
    #: which limit, in words (``older than 7d (unrouted.max_age)``)
    reason: str


def kept_queues(db: sqlite3.Connection) -> list[str]:
    """The unrouted queues of this file (the bus declares each as it first keeps a message)."""
    return [
        name
        for (name,) in db.execute("SELECT name FROM bus_queue WHERE name LIKE '%.unrouted'")
        if name.endswith(_SUFFIX)
    ]


def apply_retention(
    db: sqlite3.Connection, write: Write, options: SqliteBusOptions, now: float
) -> list[Dropped]:
    """Drop what the limits of ``options`` say is too old or too much; what was dropped.

    ``db`` is read outside any transaction to decide; ``write`` runs the deletes. ``now`` is
    the wall clock (``time.time()``), the clock ``published`` was written with.
    """
    if options.keeps_unrouted_forever:
        return []
    dropped: list[Dropped] = []
    cutoff = now - options.unrouted_max_age
    legacy = db.execute("SELECT value FROM bus_meta WHERE key = ?", (LEGACY_KEPT_SINCE,)).fetchone()
    # kept before the file had ``published`` (schema version 1): aged from the upgrade
    legacy_expired = bool(options.unrouted_max_age) and legacy is not None and legacy[0] < cutoff
    upto = db.execute("SELECT value FROM bus_meta WHERE key = ?", (LEGACY_KEPT_UPTO,)).fetchone()
    legacy_upto = int(upto[0]) if upto is not None else 0  # unknown: none is taken for legacy
    for queue in kept_queues(db):
        if options.unrouted_max_age:
            dropped += _by_age(
                db, write, queue, cutoff, options, legacy_upto if legacy_expired else None
            )
        if options.unrouted_max_messages:
            dropped += _by_count(db, write, queue, options.unrouted_max_messages)
        if options.unrouted_max_bytes:
            dropped += _by_size(db, write, queue, options.unrouted_max_bytes)
    if legacy_expired:
        write(
            lambda db: db.execute(
                "DELETE FROM bus_meta WHERE key IN (?, ?)", (LEGACY_KEPT_SINCE, LEGACY_KEPT_UPTO)
            )
        )
    for item in dropped:
        logger.warning(
            "sqlite bus: dropped %d unrouted message(s) (%s) from %s, %s: no queue was bound "
            "for them (retention: unrouted in crossdock.yaml or CROSSDOCK_UNROUTED_*; "
            "forever keeps them)",
            item.messages,
            _bytes_text(item.bytes),
            item.queue,
            item.reason,
        )
    if dropped:
        with _TALLY_LOCK:
            _TALLY[0] += sum(item.messages for item in dropped)
            _TALLY[1] = dropped[-1]
    return dropped


def dropped_in_process() -> tuple[int, Dropped | None]:
    """(messages the retention dropped in this process so far, the last drop): a run's
    summary says the part since it started (its first connection to the bus may be what
    dropped them)."""
    with _TALLY_LOCK:
        return _TALLY[0], _TALLY[1]


def _delete(write: Write, sql: str, params: tuple[Any, ...]) -> tuple[int, int]:
    """Run one ``DELETE … RETURNING <size>``: (rows, bytes)."""

    def work(db: sqlite3.Connection) -> tuple[int, int]:
        sizes = db.execute(sql, params).fetchall()
        return len(sizes), sum(size for (size,) in sizes)

    result: tuple[int, int] = write(work)
    return result


_SIZE = "length(envelope) + ifnull(length(body), 0)"


def _by_age(  # noqa: PLR0917  # private, one caller
    db: sqlite3.Connection,
    write: Write,
    queue: str,
    cutoff: float,
    options: SqliteBusOptions,
    legacy_upto: int | None,
) -> list[Dropped]:
    reason = f"older than {_age_text(options.unrouted_max_age)} (unrouted.max_age)"
    found: list[Dropped] = []
    expired = db.execute(
        "SELECT 1 FROM bus_message WHERE queue = ? AND owner IS NULL AND published < ? LIMIT 1",
        (queue, cutoff),
    ).fetchone()
    if expired is not None:
        count, size = _delete(
            write,
            "DELETE FROM bus_message WHERE queue = ? AND owner IS NULL AND published < ?"
            f" RETURNING {_SIZE}",
            (queue, cutoff),
        )
        if count:
            found.append(Dropped(queue, count, size, reason))
    if legacy_upto is not None:  # kept before the upgrade, which is older than max_age
        count, size = _delete(
            write,
            "DELETE FROM bus_message WHERE queue = ? AND published IS NULL AND owner IS NULL"
            f" AND id <= ? RETURNING {_SIZE}",
            (queue, legacy_upto),
        )
        if count:
            found.append(Dropped(queue, count, size, f"{reason}, kept before the upgrade"))
    return found


def _by_count(db: sqlite3.Connection, write: Write, queue: str, limit: int) -> list[Dropped]:
    (kept,) = db.execute(
        "SELECT count(published) FROM bus_message WHERE queue = ? AND owner IS NULL", (queue,)
    ).fetchone()
    if kept <= limit:
        return []
    # how many over the limit is counted again inside the write: another process's retention
    # or a consumer's reservation between this read and the delete would make it too many
    count, size = _delete(
        write,
        "DELETE FROM bus_message WHERE id IN (SELECT id FROM bus_message"
        " WHERE queue = ? AND owner IS NULL AND published IS NOT NULL ORDER BY published, id"
        " LIMIT max(0, (SELECT count(published) FROM bus_message"
        f" WHERE queue = ? AND owner IS NULL) - ?)) RETURNING {_SIZE}",
        (queue, queue, limit),
    )
    if not count:
        return []
    return [Dropped(queue, count, size, f"over {limit} message(s) (unrouted.max_messages)")]


def _by_size(db: sqlite3.Connection, write: Write, queue: str, limit: int) -> list[Dropped]:
    # length() of a column reads the record header only, not the value's overflow pages
    (total,) = db.execute(
        f"SELECT ifnull(sum({_SIZE}), 0) FROM bus_message"
        " WHERE queue = ? AND owner IS NULL AND published IS NOT NULL",
        (queue,),
    ).fetchone()
    if total <= limit:
        return []
    # newest first: everything from the message that crosses the limit on is dropped
    count, size = _delete(
        write,
        "DELETE FROM bus_message WHERE id IN (SELECT id FROM (SELECT id,"
        f" sum({_SIZE}) OVER (ORDER BY published DESC, id DESC) AS kept FROM bus_message"
        " WHERE queue = ? AND owner IS NULL AND published IS NOT NULL) WHERE kept > ?)"
        f" RETURNING {_SIZE}",
        (queue, limit),
    )
    if not count:
        return []
    return [Dropped(queue, count, size, f"over {_bytes_text(limit)} (unrouted.max_bytes)")]


def _age_text(seconds: float) -> str:
    """``604800`` → ``7d``, ``5400`` → ``90m``: the largest unit that divides it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _bytes_text(size: int) -> str:
    """``1536`` → ``1.5 KiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
