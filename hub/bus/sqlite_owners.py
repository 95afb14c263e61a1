"""Who holds a reservation, and whether they are still alive.

Every consuming channel registers an owner row (random token, host, pid, the process start time
and a heartbeat). A reservation is reclaimed — made deliverable again — when its owner is gone:

- same host and PID namespace, and the pid no longer exists, is a zombie, or now belongs to
  a process that started at another time (pid reuse);
- or the owner's heartbeat is older than the visibility timeout (the only test possible for an
  owner on another host, e.g. a container sharing the volume);
- or the owner row is missing altogether (its owner was already declared dead once).
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass

__all__ = ["OwnerIdentity", "reclaim_dead_owners", "register_owner", "touch_owner"]

logger = logging.getLogger(__name__)


def _host_identity() -> str:
    """Host name plus PID namespace: a pid is only meaningful inside its own namespace, and two
    containers sharing a volume (and perhaps a host name) must not judge each other's pids."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}" if namespace else socket.gethostname()


_HOST = _host_identity()


def _process_start(pid: int) -> str | None:
    """Return the start time of ``pid`` from /proc, ``"Z"`` for a zombie, None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            stat = stat_file.read().decode("ascii", "replace")
    except FileNotFoundError:
        return "" if os.path.isdir("/proc/self") else None
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    if fields and fields[0] in {"Z", "X"}:
        return "Z"
    # Field 22 (starttime) is the 20th after the command name.
    return fields[19] if len(fields) > 19 else None


@dataclass(frozen=True, slots=True)
class OwnerIdentity:
    """The identity a channel reserves messages under."""

    token: str
    host: str
    pid: int
    started: str

    @classmethod
    def for_this_process(cls) -> OwnerIdentity:
        """A fresh token for the current process."""
        pid = os.getpid()
        return cls(uuid.uuid4().hex, _HOST, pid, _process_start(pid) or "")


def _pid_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    current = _process_start(pid)
    if current is None or not started:
        return True  # no /proc: trust the pid, the lease still bounds a wrong guess
    return current == started


def register_owner(conn: sqlite3.Connection, owner: OwnerIdentity, now: float) -> None:
    """Insert or refresh the owner row; the caller holds a write transaction or autocommits."""
    conn.execute(
        "INSERT INTO bus_owner (token, host, pid, started, heartbeat) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (token) DO UPDATE SET heartbeat = excluded.heartbeat",
        (owner.token, owner.host, owner.pid, owner.started, now),
    )


def touch_owner(conn: sqlite3.Connection, owner: OwnerIdentity, now: float) -> bool:
    """Refresh the heartbeat; False when the row was gone (we had been declared dead)."""
    cur = conn.execute("UPDATE bus_owner SET heartbeat = ? WHERE token = ?", (now, owner.token))
    if cur.rowcount:
        return True
    register_owner(conn, owner, now)
    return False


def _dead_tokens(
    conn: sqlite3.Connection, me: str, now: float, visibility_timeout: float
) -> set[str]:
    owners = conn.execute("SELECT token, host, pid, started, heartbeat FROM bus_owner").fetchall()
    in_use = {
        row[0]
        for row in conn.execute("SELECT DISTINCT owner FROM bus_message WHERE owner IS NOT NULL")
    }
    alive: set[str] = {me}
    dead: set[str] = set()
    for token, host, pid, started, heartbeat in owners:
        lease_expired = bool(visibility_timeout) and now - heartbeat > visibility_timeout
        if token != me and (lease_expired or (host == _HOST and not _pid_alive(pid, started))):
            dead.add(token)
        else:
            alive.add(token)
    return dead | (in_use - alive)


def reclaim_dead_owners(conn: sqlite3.Connection, me: str, visibility_timeout: float) -> int:
    """Make messages reserved by dead owners deliverable again; return how many.

    The cheap read runs outside any lock; only when it finds a dead owner does it take the write
    lock and decide again, so two reclaimers never fight over a decision made on stale data.
    """
    if not _dead_tokens(conn, me, time.time(), visibility_timeout):
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        dead = _dead_tokens(conn, me, time.time(), visibility_timeout)
        restored = 0
        for token in dead:
            restored += conn.execute(
                "UPDATE bus_message SET owner = NULL, redelivered = 1 WHERE owner = ?", (token,)
            ).rowcount
            conn.execute("DELETE FROM bus_owner WHERE token = ?", (token,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if restored:
        logger.warning(
            "reclaimed %d message(s) reserved by %d dead consumer(s)", restored, len(dead)
        )
    return restored
