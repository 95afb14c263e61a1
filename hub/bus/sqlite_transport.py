"""A durable kombu transport on one SQLite file: the hub's embedded bus, no server needed.

``register()`` adds the ``sqlite`` alias, then ``kombu.Connection("sqlite:///abs/path/bus.db")``
or ``kombu.Connection("sqlite://relative/path.db")`` work (URL forms and options:
:mod:`hub.bus.sqlite_options`; schema: :mod:`hub.bus.sqlite_store`).

Guarantees:

- **Publish is confirmed by a commit.** ``producer.publish()`` returns after the row is committed
  to the WAL; with the default ``synchronous=NORMAL`` that survives a kill of the process,
  ``synchronous=FULL`` also survives a power loss. ``with producer.batch():`` commits the
  batch in one transaction when the block exits (confirm per batch).
- **At-least-once with manual ack.** Fetching reserves rows (``owner`` = the channel's token)
  in one ``BEGIN IMMEDIATE`` transaction, so two consumers never hold the same message. Up to
  ``fetch_batch`` rows (bounded by the prefetch count) are reserved at once and delivered from
  memory; acks are deleted in batches. A crash loses nothing: reserved rows are still in the
  file, and an ack lost by the crash only causes a redelivery.
- **Reclaim.** Rows reserved by a consumer that died (SIGKILL included) become deliverable
  again when any other consumer notices — on its first fetch and every ``reclaim_interval``
  seconds (:mod:`hub.bus.sqlite_owners`).
- **Routing is shared.** Exchanges and bindings live in the file, so a publisher routes by the
  bindings another process declared. Direct, topic (AMQP ``*``/``#``) and fanout exchanges.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from queue import Empty
from typing import Any

from kombu.exceptions import BatchPublishError, ChannelError
from kombu.transport import TRANSPORT_ALIASES, virtual
from kombu.transport.virtual.base import NotEquivalentError
from kombu.transport.virtual.exchange import STANDARD_EXCHANGE_TYPES, TopicExchange
from kombu.utils import json as kombu_json

from hub.bus.sqlite_options import SqliteBusOptions, database_path
from hub.bus.sqlite_owners import (
    OwnerIdentity,
    reclaim_dead_owners,
    register_owner,
    touch_owner,
)
from hub.bus.sqlite_retention import Dropped, apply_retention
from hub.bus.sqlite_store import bump_routing_version, open_database, routing_version
from hub.bus.topology import unrouted_queue

__all__ = ["Channel", "PublishBatch", "QoS", "Transport", "register"]

logger = logging.getLogger(__name__)

#: (id, priority, envelope JSON, body, redelivered) of a reserved row.
_Row = tuple[int, int, str, bytes | str | None, int]
#: (queue, priority, envelope JSON, body) of a row to insert, and ``published`` (epoch seconds)
#: on a row kept because no queue was bound (what retention ages).
_NewRow = tuple[str, int, str, bytes | str | None] | tuple[str, int, str, bytes | str | None, float]
#: kombu's routing-table entry: (routing key, pattern or None, queue).
_Binding = tuple[str, str | None, str]

_kombu_dumps: Callable[[Any], str] = kombu_json.dumps
_kombu_loads: Callable[[str], Any] = kombu_json.loads
_compact_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _dumps(value: Any) -> str:
    """JSON text; the stdlib C encoder first, kombu's for the types it adds (datetime, UUID…)."""
    try:
        return _compact_dumps(value)
    except TypeError:
        # kombu writes such values as {"__type__": …, "__value__": …}; _loads restores them.
        return _kombu_dumps(value)


def _loads(text: str) -> Any:
    """Inverse of :func:`_dumps`; kombu's object hook only when a tagged value may be present."""
    if '"__type__"' in text:
        return _kombu_loads(text)
    return json.loads(text)


_INSERT = "INSERT INTO bus_message (queue, priority, envelope, body) VALUES (?, ?, ?, ?)"
# A statement of its own rather than binding None for every other row: sqlite3 looks a None
# parameter up in its adapters (~3,300 instructions, 2 % of a 4 KB publish).
_INSERT_KEPT = (
    "INSERT INTO bus_message (queue, priority, envelope, body, published) VALUES (?, ?, ?, ?, ?)"
)
_RESERVE = (
    "UPDATE bus_message SET owner = ? WHERE id IN ("
    " SELECT id FROM bus_message WHERE queue = ? AND owner IS NULL"
    " ORDER BY priority DESC, id LIMIT ?)"
    " RETURNING id, priority, envelope, body, redelivered"
)
_HAS_READY = "SELECT 1 FROM bus_message WHERE queue = ? AND owner IS NULL LIMIT 1"
_DELETE_ACKED = "DELETE FROM bus_message WHERE id = ? AND owner = ?"
_RELEASE = "UPDATE bus_message SET owner = NULL, redelivered = ? WHERE id = ? AND owner = ?"


class AmqpTopicExchange(TopicExchange):
    """Topic exchange with AMQP semantics: ``*`` is one word, ``#`` zero or more words.

    kombu's own regex makes ``#`` one or more characters, so ``a.#`` misses ``a``; here both
    the binding key and the routing key are matched word by word.
    """

    _compiled_keys: dict[str, re.Pattern[str]] = {}  # noqa: RUF012  # shared compile cache

    def prepare_bind(self, queue: str, exchange: str, routing_key: str, arguments: Any) -> _Binding:
        """Return the routing-table entry with the AMQP pattern of ``routing_key``."""
        return routing_key, self.key_to_pattern(routing_key), queue

    def key_to_pattern(self, rkey: str) -> str:
        """Regex matched against ``"." + routing_key``: every word is preceded by a dot."""
        pieces = []
        for word in rkey.split("."):
            if word == "#":
                pieces.append(r"(?:\.[^.]*)*")
            elif word == "*":
                pieces.append(r"\.[^.]*")
            else:
                pieces.append(r"\." + re.escape(word))
        return "^" + "".join(pieces) + "$"

    def lookup(
        self, table: Iterable[_Binding], exchange: str, routing_key: str, default: Any
    ) -> set[str]:
        """Queues whose binding key matches ``routing_key``."""
        dotted = "." + (routing_key or "")
        found = set()
        for rkey, pattern, queue in table:
            compiled = self._compiled_keys.get(rkey)
            if compiled is None:
                compiled = self._compiled_keys[rkey] = re.compile(
                    pattern or self.key_to_pattern(rkey)
                )
            if compiled.match(dotted):
                found.add(queue)
        return found


class QoS(virtual.QoS):
    """Prefetch bookkeeping whose ack, reject and recover go to the database."""

    channel: Channel

    def ack(self, delivery_tag: int) -> None:
        """Forget the message and schedule the row's deletion (batched)."""
        self._quick_ack(delivery_tag)
        self.channel._ack_later(delivery_tag)

    def reject(self, delivery_tag: int, requeue: bool = False) -> None:
        """Requeue the row in place (same id, so it keeps its position) or delete it."""
        if requeue:
            self.channel._release([delivery_tag], redelivered=True)
        else:
            self.channel._ack_later(delivery_tag)
        self._quick_ack(delivery_tag)

    def restore_unacked(self) -> list[Any]:
        """Release every delivered, unacked message back to its queue."""
        self._flush()
        tags = list(self._delivered)
        self._delivered.clear()
        if tags:
            try:
                self.channel._release(tags, redelivered=True)
            except sqlite3.Error:
                # The rows are still in the file, reserved by us: they are reclaimed once this
                # process is gone (or the visibility timeout passes). Nothing is lost.
                logger.warning("could not release %d unacked message(s)", len(tags), exc_info=True)
        return []


class Channel(virtual.Channel):
    """A kombu virtual channel backed by its own SQLite connection."""

    QoS = QoS
    supports_fanout = True
    #: The body is stored raw in its own BLOB column, so kombu's default base64 step (needed
    #: by transports that can only store text) would only cost time and space.
    body_encoding = None  # type: ignore[assignment]  # kombu's encode_body accepts None
    exchange_types = {**STANDARD_EXCHANGE_TYPES, "topic": AmqpTopicExchange}  # noqa: RUF012

    def __init__(self, connection: Transport, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        self.options: SqliteBusOptions = connection.options
        self._db: sqlite3.Connection | None = open_database(connection.database_path, self.options)
        # Acks may arrive from other threads; every use of the connection holds this lock.
        self._lock = threading.RLock()
        self._owner: OwnerIdentity | None = None
        self._buffers: dict[str, deque[_Row]] = {}
        self._pending_acks: list[int] = []
        self._no_ack_queues: set[str] = set()
        self._routing_seen = -1
        self._routing_fresh = False
        self._tables: dict[str, list[_Binding]] = {}
        self._types: dict[str, str] = {}
        self._next_maintenance = 0.0
        self._next_heartbeat = 0.0
        self._fetch_single = False
        #: messages published on this channel that no queue was bound for (kept, see
        #: basic_publish); the hub's publisher reports them
        self.unrouted = 0
        #: what the retention of kept messages dropped while this channel was open (it also
        #: logs each drop); :mod:`hub.bus.sqlite_retention`
        self.unrouted_dropped: list[Dropped] = []
        self._retains = not self.options.keeps_unrouted_forever
        #: wall clock (the one a kept row's time is read from anyway) of the next check
        self._next_retention = 0.0
        if self._retains:
            self._retain()

    # -- database helpers ---------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """The open SQLite connection (raises once the channel is closed)."""
        if self._db is None:
            raise ChannelError("sqlite channel is closed")
        return self._db

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``work`` in one write transaction; BEGIN IMMEDIATE takes the lock up front so
        the transaction never has to upgrade a read lock (which could deadlock)."""
        with self._lock:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            return result

    # -- publishing ---------------------------------------------------------------------

    def _next_delivery_tag(self) -> None:
        # The row id becomes the delivery tag when the message is fetched (a fanout copy gets
        # its own); a uuid per publish would only be overwritten.
        return None

    def basic_publish(
        self, message: dict[str, Any], exchange: str, routing_key: str, **kwargs: Any
    ) -> None:
        """Route ``message`` and commit one row per target queue in a single transaction."""
        self._inplace_augment_message(message, exchange, routing_key)
        published = None
        if exchange:
            self._refresh_routing()
            self._routing_fresh = True
            try:
                queues = [q for q in self._lookup(exchange, routing_key) if q]
            finally:
                self._routing_fresh = False
            if not queues:
                # no queue bound for it: kept, never dropped (hub.bus.topology.unrouted_queue)
                kept = unrouted_queue(exchange)
                self._new_queue(kept)
                queues = [kept]
                self.unrouted += 1
                published = time.time()
                if self._retains and published >= self._next_retention:
                    self._retain()
        else:
            queues = [routing_key] if routing_key else []
        self._put_many(queues, message, kwargs.get("_publish_batch"), published)

    def _put(self, queue: str, message: dict[str, Any], **kwargs: Any) -> None:
        self._put_many([queue], message, kwargs.get("_publish_batch"))

    def _put_many(
        self,
        queues: Sequence[str],
        message: dict[str, Any],
        batch: PublishBatch | None,
        published: float | None = None,
    ) -> None:
        if not queues:
            return
        priority: int = self._get_message_priority(message)
        body = message.get("body")
        envelope = _dumps({key: value for key, value in message.items() if key != "body"})
        rows: list[_NewRow]
        if published is None:
            rows = [(queue, priority, envelope, body) for queue in queues]
        else:
            rows = [(queue, priority, envelope, body, published) for queue in queues]
        if batch is not None:
            batch.add(rows)
        else:
            self._insert_rows(rows)

    def _insert_rows(self, rows: Sequence[_NewRow]) -> None:
        if len(rows) == 1:
            # A lone INSERT in autocommit mode is its own transaction: committed on return.
            row = rows[0]
            with self._lock:
                self.db.execute(_INSERT if len(row) == 4 else _INSERT_KEPT, row)
        else:
            self._write(lambda db: _insert_many(db, rows))

    def create_publish_batch(self, max_size: int) -> PublishBatch:
        """Used by ``Producer.batch()``: publishes commit together, once per flush."""
        return PublishBatch(self, max_size)

    def _retain(self) -> None:
        """Apply the retention of kept (unrouted) messages; a failure only delays it."""
        now = time.time()
        self._next_retention = now + self.options.retention_interval
        try:
            with self._lock:
                dropped = apply_retention(self.db, self._write, self.options, now)
        except sqlite3.Error:
            # housekeeping: the publish goes on, the next check (or the next open) drops them
            logger.warning("sqlite bus: the retention of unrouted messages failed", exc_info=True)
            return
        self.unrouted_dropped += dropped

    # -- routing (persisted, shared between processes) ------------------------------------

    def _refresh_routing(self) -> None:
        if self._routing_fresh:
            return
        with self._lock:
            db = self.db
            version = routing_version(db)
            if version == self._routing_seen:
                return
            types = dict(db.execute("SELECT name, type FROM bus_exchange").fetchall())
            tables: dict[str, list[_Binding]] = {}
            for exchange, rkey, pattern, queue in db.execute(
                "SELECT exchange, routing_key, pattern, queue FROM bus_binding"
            ):
                tables.setdefault(exchange, []).append((rkey, pattern or None, queue))
            self._types, self._tables, self._routing_seen = types, tables, version

    def get_table(self, exchange: str) -> list[_Binding]:
        """The bindings of ``exchange`` as stored in the database."""
        self._refresh_routing()
        return self._tables.get(exchange, [])

    def typeof(self, exchange: str, default: str = "direct") -> Any:
        """The exchange type, declared here or by any other process."""
        local = self.state.exchanges.get(exchange)
        if local is not None:
            kind = local["type"]
        else:
            self._refresh_routing()
            kind = self._types.get(exchange, default)
        return self.exchange_types[kind]

    def exchange_declare(  # noqa: PLR0917  # kombu's positional signature
        self,
        exchange: str | None = None,
        type: str = "direct",  # kombu's signature shadows the builtin
        durable: bool = False,
        auto_delete: bool = False,
        arguments: dict[str, Any] | None = None,
        nowait: bool = False,
        passive: bool = False,
    ) -> None:
        """Declare an exchange; idempotent, persisted, and checked against other processes."""
        type = type or "direct"
        exchange = exchange or f"amq.{type}"
        self._refresh_routing()
        stored = self._types.get(exchange)
        if passive:
            if stored is None:
                super().exchange_declare(exchange, type, passive=True)
            return
        if stored is not None and stored != type:
            raise NotEquivalentError(
                f"Cannot redeclare exchange {exchange!r} as {type!r}: it is {stored!r}"
            )
        super().exchange_declare(exchange, type, durable, auto_delete, arguments, nowait)
        if stored is None:

            def persist(db: sqlite3.Connection) -> None:
                cur = db.execute(
                    "INSERT OR IGNORE INTO bus_exchange VALUES (?, ?, ?, ?, ?)",
                    (exchange, type, int(durable), int(auto_delete), _dumps(arguments or {})),
                )
                if cur.rowcount:
                    bump_routing_version(db)

            self._write(persist)

    def exchange_delete(self, exchange: str, if_unused: bool = False, nowait: bool = False) -> None:
        """Delete the exchange and its bindings, here and in the database."""
        super().exchange_delete(exchange, if_unused, nowait)

        def forget(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM bus_binding WHERE exchange = ?", (exchange,))
            db.execute("DELETE FROM bus_exchange WHERE name = ?", (exchange,))
            bump_routing_version(db)

        self._write(forget)

    def queue_bind(
        self,
        queue: str,
        exchange: str | None = None,
        routing_key: str = "",
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Bind ``queue``; the binding is stored so publishers in other processes see it."""
        exchange = exchange or "amq.direct"
        routing_key = routing_key or ""
        _, pattern, _ = self.typeof(exchange).prepare_bind(queue, exchange, routing_key, arguments)

        def persist(db: sqlite3.Connection) -> None:
            cur = db.execute(
                "INSERT OR IGNORE INTO bus_binding VALUES (?, ?, ?, ?)",
                (exchange, routing_key, queue, pattern or ""),
            )
            if cur.rowcount:
                bump_routing_version(db)

        self._write(persist)
        self.state.binding_declare(queue, exchange, routing_key, arguments)

    def queue_unbind(
        self,
        queue: str,
        exchange: str | None = None,
        routing_key: str = "",
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Remove the binding, here and in the database."""
        exchange = exchange or "amq.direct"
        routing_key = routing_key or ""

        def forget(db: sqlite3.Connection) -> None:
            cur = db.execute(
                "DELETE FROM bus_binding WHERE exchange = ? AND routing_key = ? AND queue = ?",
                (exchange, routing_key, queue),
            )
            if cur.rowcount:
                bump_routing_version(db)

        self._write(forget)
        self.state.binding_delete(queue, exchange, routing_key)

    # -- queues -------------------------------------------------------------------------

    def _new_queue(self, queue: str, **kwargs: Any) -> None:
        with self._lock:
            self.db.execute("INSERT OR IGNORE INTO bus_queue (name) VALUES (?)", (queue,))

    def _has_queue(self, queue: str, **kwargs: Any) -> bool:
        with self._lock:
            row = self.db.execute("SELECT 1 FROM bus_queue WHERE name = ?", (queue,)).fetchone()
        return row is not None

    def _size(self, queue: str) -> int:
        """Ready messages (reserved ones are not counted, as in AMQP)."""
        with self._lock:
            row = self.db.execute(
                "SELECT count(*) FROM bus_message WHERE queue = ? AND owner IS NULL", (queue,)
            ).fetchone()
        return int(row[0])

    def _purge(self, queue: str) -> int:
        """Delete the ready messages of ``queue``; reserved (unacked) ones stay, as in AMQP."""
        with self._lock:
            cur = self.db.execute(
                "DELETE FROM bus_message WHERE queue = ? AND owner IS NULL", (queue,)
            )
        return int(cur.rowcount)

    def _delete(self, queue: str, *args: Any, **kwargs: Any) -> int:
        """Delete ``queue`` with all its messages (reserved ones too) and bindings."""

        def forget(db: sqlite3.Connection) -> int:
            count = int(db.execute("DELETE FROM bus_message WHERE queue = ?", (queue,)).rowcount)
            if db.execute("DELETE FROM bus_binding WHERE queue = ?", (queue,)).rowcount:
                bump_routing_version(db)
            db.execute("DELETE FROM bus_queue WHERE name = ?", (queue,))
            return count

        count: int = self._write(forget)
        self._buffers.pop(queue, None)
        return count

    def queue_delete(
        self, queue: str, if_unused: bool = False, if_empty: bool = False, **kwargs: Any
    ) -> int:
        """Delete ``queue`` (even when this process never declared its bindings)."""
        if if_empty and self._size(queue):
            return 0
        count = self._delete(queue)
        self.state.queue_bindings_delete(queue)
        return count

    # -- consuming ----------------------------------------------------------------------

    def basic_consume(
        self, queue: str, no_ack: bool, callback: Any, consumer_tag: str, **kwargs: Any
    ) -> Any:
        """Consume from ``queue``; with ``no_ack`` the rows are deleted once delivered."""
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def basic_cancel(self, consumer_tag: str) -> Any:
        """Cancel the consumer and hand its fetched-but-undelivered messages back."""
        queue = self._tag_to_queue.get(consumer_tag)
        result = super().basic_cancel(consumer_tag)
        if queue is not None and queue not in self._active_queues:
            self._no_ack_queues.discard(queue)
            self._release_buffer(queue)
        return result

    def basic_get(self, queue: str, no_ack: bool = False, **kwargs: Any) -> Any:
        """Fetch one message; reserves just one row, so a lone get holds nothing else."""
        self._fetch_single = True
        try:
            message = super().basic_get(queue, no_ack=no_ack, **kwargs)
        finally:
            self._fetch_single = False
        if message is not None and no_ack:
            self._ack_later(message.delivery_tag)
        return message

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        buffer = self._buffers.get(queue)
        if not buffer:
            buffer = self._fill(queue)
        msg_id, _, envelope, body, redelivered = buffer.popleft()
        if queue in self._no_ack_queues:
            self._ack_later(msg_id)
        payload: dict[str, Any] = _loads(envelope)
        payload["body"] = body
        properties = payload["properties"]
        properties["delivery_tag"] = msg_id
        if redelivered:
            properties.setdefault("delivery_info", {})["redelivered"] = True
        return payload

    def _fetch_limit(self) -> int:
        if self._fetch_single:
            return 1
        limit = self.options.fetch_batch
        room = self.qos.can_consume_max_estimate()
        if room is not None:
            # Buffered rows are prefetched too: keep buffer + unacked within the prefetch
            # count, so a consumer with prefetch 1 does not starve its peers.
            buffered = sum(len(b) for b in self._buffers.values())
            limit = max(1, min(limit, room - buffered))
        return limit

    def _fill(self, queue: str) -> deque[_Row]:
        """Reserve the next rows of ``queue`` (and delete pending acks) in one transaction."""
        now = time.monotonic()
        if now >= self._next_maintenance:
            self._maintain(now)
        limit = self._fetch_limit()
        with self._lock:
            owner = self._owner
            assert owner is not None  # set by _maintain
            db = self.db
            # Polling an empty queue is a plain read: no write lock, so idle consumers
            # do not slow down publishers.
            if not self._pending_acks and db.execute(_HAS_READY, (queue,)).fetchone() is None:
                raise Empty()
            acks = self._pending_acks
            self._pending_acks = []
            try:
                rows: list[_Row] = self._write(
                    lambda db: self._reserve(db, owner.token, queue, limit, acks)
                )
            except BaseException:
                self._pending_acks[:0] = acks
                raise
        if not rows:
            raise Empty()
        rows.sort(key=lambda row: (-row[1], row[0]))  # RETURNING order is unspecified
        buffer = self._buffers[queue] = deque(rows)
        return buffer

    @staticmethod
    def _reserve(
        db: sqlite3.Connection, token: str, queue: str, limit: int, acks: list[int]
    ) -> list[_Row]:
        if acks:
            db.executemany(_DELETE_ACKED, [(tag, token) for tag in acks])
        return db.execute(_RESERVE, (token, queue, limit)).fetchall()

    def _maintain(self, now: float) -> None:
        """Register or heartbeat our owner row, and reclaim reservations of dead consumers."""
        options = self.options
        with self._lock:
            db = self.db
            wall = time.time()
            if self._owner is None:
                self._owner = OwnerIdentity.for_this_process()
                register_owner(db, self._owner, wall)
                self._next_heartbeat = now + self._heartbeat_interval()
            elif now >= self._next_heartbeat:
                if not touch_owner(db, self._owner, wall):
                    # Another consumer declared us dead and released our rows: what we
                    # buffered may already be theirs, so drop it (they will deliver it).
                    logger.warning("sqlite bus reservations of this consumer were reclaimed")
                    self._buffers.clear()
                self._next_heartbeat = now + self._heartbeat_interval()
            reclaim_dead_owners(db, self._owner.token, options.visibility_timeout)
        self._next_maintenance = now + options.reclaim_interval

    def _heartbeat_interval(self) -> float:
        timeout = self.options.visibility_timeout
        return min(timeout / 4, 60.0) if timeout else 60.0

    def _ack_later(self, delivery_tag: int) -> None:
        with self._lock:
            self._pending_acks.append(delivery_tag)
            if len(self._pending_acks) >= self.options.ack_batch:
                self._flush_acks()

    def _flush_acks(self) -> None:
        with self._lock:
            if not self._pending_acks or self._owner is None:
                return
            acks = self._pending_acks
            token = self._owner.token
            self._write(lambda db: db.executemany(_DELETE_ACKED, [(t, token) for t in acks]))
            self._pending_acks = []

    def _release(self, delivery_tags: Sequence[int], redelivered: bool) -> None:
        """Make reserved rows ready again (only rows we still own)."""
        if self._owner is None or self._db is None:
            return
        token = self._owner.token
        flag = int(redelivered)
        self._write(
            lambda db: db.executemany(_RELEASE, [(flag, tag, token) for tag in delivery_tags])
        )

    def _release_buffer(self, queue: str) -> None:
        buffer = self._buffers.pop(queue, None)
        if buffer:
            self._release([row[0] for row in buffer], redelivered=False)

    def close(self) -> None:
        """Close: requeue unacked messages, flush acks, release everything we reserved."""
        if self.closed:
            return
        try:
            super().close()
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        with self._lock:
            db = self._db
            if db is None:
                return
            try:
                if self._owner is not None:
                    self._flush_acks()
                    for queue in list(self._buffers):
                        self._release_buffer(queue)
                    token = self._owner.token

                    def leave(db: sqlite3.Connection) -> None:
                        db.execute(
                            "UPDATE bus_message SET owner = NULL, redelivered = 1 WHERE owner = ?",
                            (token,),
                        )
                        db.execute("DELETE FROM bus_owner WHERE token = ?", (token,))

                    self._write(leave)
            except sqlite3.Error:
                logger.warning(
                    "sqlite bus channel closed without releasing its reservations; they are "
                    "reclaimed once this process exits",
                    exc_info=True,
                )
            finally:
                self._db = None
                db.close()


def _insert_many(db: sqlite3.Connection, rows: Sequence[_NewRow]) -> None:
    """Insert ``rows`` in their order (a queue's order is its ids'): each run of rows of one
    kind (kept or not) in one ``executemany``."""
    for width, run in groupby(rows, len):
        db.executemany(_INSERT if width == 4 else _INSERT_KEPT, run)


class PublishBatch:
    """Publishes of one ``Producer.batch()`` block, committed in one transaction per flush.

    The confirm is per batch: nothing of a batch is visible (or durable) before its flush
    returns, and a failed flush rolls the whole batch back.
    """

    def __init__(self, channel: Channel, max_size: int) -> None:
        self.channel = channel
        self.max_size = max_size
        self._rows: list[_NewRow] = []
        self._failed: BaseException | None = None
        self._aborted = False
        self._closed = False

    def publish(self, message: dict[str, Any], **kwargs: Any) -> None:
        """Route one prepared message and buffer its rows."""
        self._check_usable()
        self.channel.basic_publish(message, _publish_batch=self, **kwargs)
        if len(self._rows) >= self.max_size:
            self.flush()

    def add(self, rows: Iterable[_NewRow]) -> None:
        """Buffer rows routed by the channel."""
        self._rows.extend(rows)

    def flush(self) -> None:
        """Commit every buffered row in one transaction."""
        self._check_usable()
        rows, self._rows = self._rows, []
        if not rows:
            return
        try:
            self.channel._insert_rows(rows)
        except sqlite3.Error as exc:
            self._failed = exc
            raise BatchPublishError("sqlite publish batch failed and was rolled back") from exc

    def discard(self) -> None:
        """Drop rows not yet flushed."""
        self._aborted = True
        self._rows = []

    def close(self) -> None:
        """Nothing to release: the batch holds no database resources between flushes."""
        self._closed = True

    def _check_usable(self) -> None:
        if self._closed or self._aborted:
            raise RuntimeError("sqlite publish batch is closed")
        if self._failed is not None:
            raise BatchPublishError("sqlite publish batch failed before") from self._failed


class Transport(virtual.Transport):
    """kombu transport for ``sqlite://`` URLs: a durable bus in one local SQLite file."""

    Channel = Channel

    #: Seconds between polls of empty queues (option ``polling_interval``).
    polling_interval = 0.05
    #: kombu passes the whole URL as ``hostname``: the path keeps its case and leading slash.
    can_parse_url = True
    default_port = None
    driver_type = "sqlite"
    driver_name = "sqlite3"
    # "database is locked" after busy_timeout is worth a retry through kombu's ensure().
    # kombu declares a 1-tuple; any tuple of exception classes is what it expects.
    connection_errors = (*virtual.Transport.connection_errors, sqlite3.OperationalError)  # type: ignore[assignment]
    implements = virtual.Transport.implements.extend(
        exchange_type=frozenset({"direct", "topic", "fanout"}),
        batch_publish=True,
    )

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.database_path, query = database_path(client.hostname, client.virtual_host)
        self.options = SqliteBusOptions.from_sources(query, client.transport_options or {})
        self.polling_interval = self.options.polling_interval

    def driver_version(self) -> str:
        """The SQLite library version."""
        return sqlite3.sqlite_version

    @property
    def default_connection_params(self) -> dict[str, Any]:
        """No host or port: the location is a file path."""
        return {"port": None, "hostname": None}


def register() -> None:
    """Make ``sqlite://`` URLs resolve to this transport in ``kombu.Connection``."""
    TRANSPORT_ALIASES["sqlite"] = f"{__name__}:Transport"
