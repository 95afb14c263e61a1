"""Opening a kombu connection by URL, with Crossdock's embedded transport registered.

Every way of failing to connect comes out as one error naming the bus without its password:
:class:`~hub.errors.BrokerUnavailable` when the broker cannot be reached (refused, unknown
host, closed during the handshake: try again later), :class:`~hub.errors.ConfigError` when the
URL itself cannot work (an unknown transport).
"""

from __future__ import annotations

from amqp.exceptions import AMQPError
from kombu import Connection
from kombu.exceptions import OperationalError as KombuOperationalError

from hub.errors import BrokerUnavailable, ConfigError

__all__ = ["conn_label", "open_connection"]

#: what a connect (or a connection in use) fails with when the broker is down or goes away:
#: the OS's errors, kombu's wrapping of them, py-amqp's (a broker closing the connection)
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, KombuOperationalError, AMQPError)

_SCHEMES = ("amqp", "amqps", "pyamqp", "sqlite", "memory")


def open_connection(url: str, *, heartbeat: float = 0) -> Connection:
    """A connected kombu Connection for ``url`` (``sqlite:///…``, ``amqp://…``, ``memory://``)."""
    scheme = url.split("://", 1)[0] if "://" in url else url.split(":", 1)[0]
    if scheme not in _SCHEMES:
        raise ConfigError(
            f"bus URL {conn_label(url)}: unknown transport {scheme!r} "
            "(amqp://user:password@host:5672/vhost for RabbitMQ, or leave it unset for the "
            "embedded bus in the data folder)"
        )
    if url.startswith("sqlite:"):
        # inside the function on purpose: a hub on RabbitMQ never imports the embedded
        # transport (and its SQLite store); not a cycle
        from hub.bus.sqlite_transport import register

        register()
    conn = Connection(url, heartbeat=heartbeat, connect_timeout=5)
    try:
        conn.connect()
    except CONNECTION_ERRORS as exc:
        conn.release()
        raise BrokerUnavailable(
            f"broker {conn_label(url)}: cannot connect: {_reason(exc)}"
        ) from exc
    return conn


def _reason(exc: BaseException) -> str:
    """The error's own words, without kombu's wrapping repeated."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def conn_label(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url
