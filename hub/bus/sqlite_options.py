"""Where the SQLite bus lives and how it behaves: URL forms and transport options.

Accepted URL forms (kombu hands the whole URL to the transport, see
``Transport.can_parse_url``, so the path keeps its case and its leading slash):

- ``sqlite:///abs/path/bus.db`` — absolute path ``/abs/path/bus.db``.
- ``sqlite:////abs/path/bus.db`` — the same absolute path (SQLAlchemy's spelling).
- ``sqlite://relative/path.db`` — ``relative/path.db``, relative to the working directory.
- ``sqlite://bus.db`` — ``bus.db`` in the working directory.
- ``Connection(transport="sqlite", hostname="/abs/path/bus.db")`` — a bare path.

Options come from the URL query (``sqlite:///var/bus.db?synchronous=FULL``) and from kombu's
``transport_options``; ``transport_options`` win when both name the same option. The hub puts
its retention of unrouted messages (``unrouted:`` in crossdock.yaml) in the query of the
embedded bus's URL, so every process of the hub opens the bus with it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["SqliteBusOptions", "database_path"]

# Only levels that keep a committed transaction after a process kill: NORMAL (WAL written to the
# OS before COMMIT returns) and FULL/EXTRA (also fsync'ed, so they survive a power loss too).
_SYNCHRONOUS_LEVELS = frozenset({"NORMAL", "FULL", "EXTRA"})
_WINDOWS_DRIVE = re.compile(r"^/[A-Za-z]:[/\\]")


@dataclass(frozen=True, slots=True)
class SqliteBusOptions:
    """Tunables of the SQLite transport; every field has a safe default."""

    #: ``NORMAL`` survives a process kill (what the hub promises); ``FULL`` also a power loss.
    synchronous: str = "NORMAL"
    #: Seconds a connection waits for another process's write lock before failing.
    busy_timeout: float = 30.0
    #: Seconds between polls of empty queues (kombu's virtual transports poll).
    polling_interval: float = 0.05
    #: Most messages reserved per transaction when the channel's prefetch allows it.
    fetch_batch: int = 100
    #: Acks are deleted together once this many are pending (or on the next fetch, or on close).
    ack_batch: int = 100
    #: Seconds after which a reservation whose owner stopped heartbeating is handed to others;
    #: 0 turns the lease off and relies on the process-liveness check alone.
    visibility_timeout: float = 3600.0
    #: Seconds between checks for reservations held by dead consumers.
    reclaim_interval: float = 1.0
    #: Retention of what the bus kept because no queue was bound (``<exchange>.unrouted``,
    #: :mod:`hub.bus.sqlite_retention`): seconds a kept message is kept; 0 keeps it forever.
    unrouted_max_age: float = 0.0
    #: Most kept messages per unrouted queue (the oldest go first); 0: no limit.
    unrouted_max_messages: int = 0
    #: Most bytes (body and envelope) per unrouted queue (the oldest go first); 0: no limit.
    unrouted_max_bytes: int = 0
    #: Seconds between retention checks while a channel keeps unrouted messages (it also
    #: checks when it opens).
    retention_interval: float = 60.0

    @property
    def keeps_unrouted_forever(self) -> bool:
        """Whether no retention limit is set (the bus never drops a kept message)."""
        return not (self.unrouted_max_age or self.unrouted_max_messages or self.unrouted_max_bytes)

    def __post_init__(self) -> None:
        errors: list[str] = []
        if self.synchronous not in _SYNCHRONOUS_LEVELS:
            errors.append(f"synchronous must be one of {sorted(_SYNCHRONOUS_LEVELS)}")
        for name in (
            "busy_timeout",
            "polling_interval",
            "visibility_timeout",
            "reclaim_interval",
            "unrouted_max_age",
            "retention_interval",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                errors.append(f"{name} must be a finite number >= 0, got {value!r}")
        for name in ("fetch_batch", "ack_batch"):
            if getattr(self, name) < 1:
                errors.append(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("unrouted_max_messages", "unrouted_max_bytes"):
            if getattr(self, name) < 0:
                errors.append(f"{name} must be >= 0 (0: no limit), got {getattr(self, name)!r}")
        if errors:
            raise ValueError("invalid sqlite transport options: " + "; ".join(errors))

    @classmethod
    def from_sources(
        cls, query: Mapping[str, str], transport_options: Mapping[str, Any]
    ) -> SqliteBusOptions:
        """Build options from a URL query and kombu ``transport_options`` (which win)."""
        known = {field.name: field.type for field in dataclasses.fields(cls)}
        merged: dict[str, Any] = {k: v for k, v in query.items() if k in known}
        merged.update({k: v for k, v in transport_options.items() if k in known})
        values: dict[str, Any] = {}
        errors: list[str] = []
        for name, raw in merged.items():
            kind = known[name]
            try:
                if kind == "str":
                    values[name] = str(raw).upper()
                elif kind == "int":
                    values[name] = int(raw)
                else:
                    values[name] = float(raw) if raw is not None else 0.0
            except (TypeError, ValueError):
                errors.append(f"{name}={raw!r} is not a valid {kind}")
        if errors:
            raise ValueError("invalid sqlite transport options: " + "; ".join(errors))
        return cls(**values)


def database_path(
    hostname: str | None, virtual_host: str | None = None
) -> tuple[str, dict[str, str]]:
    """Return the database file path and the URL query options for a kombu connection.

    ``hostname`` is the whole URL when kombu saw one (``can_parse_url``), else a bare path.
    """
    location = hostname or ""
    if "://" in location:
        location = location.split("://", 1)[1]
        if location.startswith("/"):
            # Any number of leading slashes means an absolute path; collapse them so
            # "sqlite:////x" and "sqlite:///x" name the same file.
            location = "/" + location.lstrip("/")
            if _WINDOWS_DRIVE.match(location):
                location = location[1:]
    elif virtual_host and virtual_host != "/" and not location:
        location = virtual_host
    location, _, query_text = location.partition("?")
    if not location:
        raise ValueError(
            "sqlite transport needs a database file: sqlite:///abs/path/bus.db "
            "or sqlite://relative/path.db"
        )
    if location == ":memory:":
        # Each channel opens its own connection, so an in-memory database would be a
        # different, empty database per channel: refuse instead of silently losing messages.
        raise ValueError("sqlite transport needs a file; use memory:// for an in-memory bus")
    return os.path.abspath(location), dict(parse_qsl(query_text))
