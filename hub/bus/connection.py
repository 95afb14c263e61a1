"""Opening a kombu connection by URL, with Crossdock's embedded transport registered."""

from __future__ import annotations

from kombu import Connection

__all__ = ["open_connection"]


def open_connection(url: str, *, heartbeat: float = 0) -> Connection:
    """A connected kombu Connection for ``url`` (``sqlite:///…``, ``amqp://…``, ``memory://``)."""
    if url.startswith("sqlite:"):
        # inside the function on purpose: a hub on RabbitMQ never imports the embedded
        # transport (and its SQLite store); not a cycle
        from hub.bus.sqlite_transport import register

        register()
    conn = Connection(url, heartbeat=heartbeat, connect_timeout=5)
    conn.connect()
    return conn
