"""The SQLite bus file: schema and connection settings.

Schema (version 2)::

    bus_meta      (key PK, value)                  schema_version, routing_version
    bus_exchange  (name PK, type, durable, auto_delete, arguments JSON)
    bus_queue     (name PK)
    bus_binding   (exchange, routing_key, queue PK; pattern)   persisted routing table
    bus_owner     (token PK, host, pid, started, heartbeat)    consumers holding reservations
    bus_message   (id PK, queue, priority, envelope JSON, body,
                   owner NULL=ready | token=reserved, redelivered,
                   published NULL | epoch seconds: kept because no queue was bound)
      bus_message_ready  (queue, priority DESC, id, published) WHERE owner IS NULL
                                                     — fetch order; retention reads ages here
      bus_message_owner  (owner) WHERE owner IS NOT NULL                  — reclaim, release

Version 2 added ``published`` (and put it in the ready index); a version 1 file is upgraded
when it is opened (``ALTER TABLE … ADD COLUMN`` rewrites no row; the ready index is rebuilt
from the rows' local pages). Its messages kept before the upgrade have no ``published``:
``bus_meta.unrouted_legacy_since`` records the upgrade's time, and retention ages them from
then (:mod:`hub.bus.sqlite_retention`).

``routing_version`` is bumped by every exchange or binding change, so a publisher re-reads the
routing table only when another process changed it.

Why the message table looks like this (each page a commit touches is written to the WAL and
later copied back by a checkpoint, so pages per publish decide the publish rate):

- ``body`` is a column of its own holding the raw bytes (or text), not base64 inside the JSON
  envelope: a third smaller, and nothing to encode or decode.
- ``id`` is a plain rowid, not ``AUTOINCREMENT``, which would write ``sqlite_sequence`` on every
  publish (≈ 25 % of the publish time). An id can therefore come back after the newest row is
  deleted; acks and releases also match on ``owner``, so a stale delivery tag can never touch
  a row another consumer holds.
- The ready index is partial (``owner IS NULL``) and the owner index is partial the other way:
  a publish writes one index, a reservation moves the row from one to the other.
- ``published`` is set only on a row the bus kept because no queue was bound for it (the
  exchange's unrouted queue, :func:`hub.bus.topology.unrouted_queue`): retention drops only
  rows that have it, so never a bound queue's message (nor a dead letter, which lives in the
  hub's database). It is a column of the ready index rather than an index of its own: a
  second index was one more page per commit (2.26 → 3.38 WAL pages per 200-byte publish).
"""

from __future__ import annotations

import sqlite3
import time

from hub.bus.sqlite_options import SqliteBusOptions

__all__ = [
    "LEGACY_KEPT_SINCE",
    "LEGACY_KEPT_UPTO",
    "SCHEMA_VERSION",
    "bump_routing_version",
    "open_database",
    "routing_version",
]

SCHEMA_VERSION = 2

#: bus_meta key: when a version 1 file holding kept (unrouted) messages was upgraded
LEGACY_KEPT_SINCE = "unrouted_legacy_since"
LEGACY_KEPT_UPTO = "unrouted_legacy_max_id"
"""bus_meta key: the last message id at the upgrade; a row without a publish time after it
(published to an unrouted queue by name, or by a version 1 process still running) is not one
the upgrade aged, and is never dropped as one."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bus_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO bus_meta (key, value) VALUES ('schema_version', 2), ('routing_version', 0);
CREATE TABLE IF NOT EXISTS bus_exchange (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    durable INTEGER NOT NULL,
    auto_delete INTEGER NOT NULL,
    arguments TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_queue (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_binding (
    exchange TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    queue TEXT NOT NULL,
    pattern TEXT NOT NULL,
    PRIMARY KEY (exchange, routing_key, queue)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_owner (
    token TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started TEXT NOT NULL,
    heartbeat REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_message (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    priority INTEGER NOT NULL,
    envelope TEXT NOT NULL,
    body BLOB,
    owner TEXT,
    redelivered INTEGER NOT NULL DEFAULT 0,
    published REAL
);
CREATE INDEX IF NOT EXISTS bus_message_ready
    ON bus_message (queue, priority DESC, id, published) WHERE owner IS NULL;
CREATE INDEX IF NOT EXISTS bus_message_owner
    ON bus_message (owner) WHERE owner IS NOT NULL;
"""


def open_database(path: str, options: SqliteBusOptions) -> sqlite3.Connection:
    """Open ``path`` in WAL mode, create the schema if needed, and return the connection.

    The connection is in autocommit mode (``isolation_level=None``): every transaction is an
    explicit ``BEGIN IMMEDIATE … COMMIT``, or a single statement that commits on its own.
    """
    conn = sqlite3.connect(
        path,
        timeout=options.busy_timeout,
        isolation_level=None,
        # Acks may come from another thread than the consuming one; the channel serialises
        # every use of the connection with its own lock.
        check_same_thread=False,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(options.busy_timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch {path} to WAL mode (got {mode!r})")
        # NORMAL in WAL mode: a commit reaches the OS before COMMIT returns (survives a process
        # kill); FULL additionally fsyncs the WAL on every commit (survives a power loss).
        conn.execute(f"PRAGMA synchronous = {options.synchronous}")
        # The schema script runs in one write transaction so that processes opening a new
        # file at the same time do not interleave half-created schemas.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            version = conn.execute(
                "SELECT value FROM bus_meta WHERE key = 'schema_version'"
            ).fetchone()
            if version is not None and version[0] == 1:
                _upgrade_from_1(conn)
                version = (2,)
            if version is None or version[0] != SCHEMA_VERSION:
                raise sqlite3.OperationalError(
                    f"{path} has bus schema version {version and version[0]}, "
                    f"expected {SCHEMA_VERSION}"
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except BaseException:
        conn.close()
        raise
    return conn


def _upgrade_from_1(conn: sqlite3.Connection) -> None:
    """Version 1 → 2, inside the schema transaction: the ``published`` column (no row is
    rewritten; a row without it reads NULL from its header), the ready index with it, and the
    time of the upgrade when kept messages are there already."""
    conn.execute("ALTER TABLE bus_message ADD COLUMN published REAL")
    conn.execute("DROP INDEX bus_message_ready")
    conn.execute(
        "CREATE INDEX bus_message_ready"
        " ON bus_message (queue, priority DESC, id, published) WHERE owner IS NULL"
    )
    # unrouted_queue(exchange) spelled in SQL: '<exchange>.unrouted' of each exchange
    kept = conn.execute(
        "SELECT 1 FROM bus_message WHERE queue IN"
        " (SELECT name || '.unrouted' FROM bus_exchange) LIMIT 1"
    ).fetchone()
    if kept is not None:
        conn.execute(
            "INSERT OR REPLACE INTO bus_meta (key, value) VALUES (?, ?)",
            (LEGACY_KEPT_SINCE, int(time.time())),
        )
        conn.execute(
            "INSERT OR REPLACE INTO bus_meta (key, value)"
            " SELECT ?, ifnull(max(id), 0) FROM bus_message",
            (LEGACY_KEPT_UPTO,),
        )
    conn.execute("UPDATE bus_meta SET value = 2 WHERE key = 'schema_version'")


def routing_version(conn: sqlite3.Connection) -> int:
    """The current routing version (changes whenever an exchange or binding does)."""
    row = conn.execute("SELECT value FROM bus_meta WHERE key = 'routing_version'").fetchone()
    return int(row[0])


def bump_routing_version(conn: sqlite3.Connection) -> None:
    """Record that routing changed; call inside the transaction that changed it."""
    conn.execute("UPDATE bus_meta SET value = value + 1 WHERE key = 'routing_version'")
