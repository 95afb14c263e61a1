"""The hub's own errors.

::

    CrossdockError                    the one root (canonical.errors)
    ├── HubError                      root of errors raised by the hub runtime
    │   ├── BusError                  publishing or consuming failed
    │   │   ├── BrokerUnavailable     transient: connection refused/lost; retried
    │   │   └── PublishNotConfirmed   the broker nacked or never confirmed; retried
    │   ├── DatabaseUnavailable       transient: the hub database cannot be reached; retried
    │   ├── DataFolderBusy            another hub runs on this embedded data folder
    │   ├── DeadLetterError           a dead-letter operation is not allowed (unknown id, state)
    │   ├── ConfigError               crossdock.yaml or the environment is wrong; fail fast
    │   ├── SourceBusy                another process reads that source instance now
    │   ├── RedriveConflict           a redrive of the same filter is running (hub.ops.redrive)
    │   ├── SchemaBehind              the database is not at this code's migration (hub.migrations)
    │   └── RegistryError             the schema registry API's errors (hub.registry.errors)
    └── RoutingError                  the routing layer's errors (hub.routing.errors)

The other layers' families sit beside these under the same root (``CanonicalError``,
``SpecError``, ``MappingError``, ``ConnectorError``; see :mod:`canonical.errors`); pydantic's
``ValidationError`` stays pydantic's. :mod:`hub.retry` decides for all of them in one table.
"""

from __future__ import annotations

from canonical.errors import CrossdockError

__all__ = [
    "BrokerUnavailable",
    "BusError",
    "ConfigError",
    "DataFolderBusy",
    "DatabaseUnavailable",
    "DeadLetterError",
    "HubError",
    "PublishNotConfirmed",
    "SourceBusy",
]


class HubError(CrossdockError):
    """Root of the errors raised by the hub runtime."""


class BusError(HubError):
    """Publishing to or consuming from the bus failed."""


class BrokerUnavailable(BusError, ConnectionError):
    """The broker could not be reached; the same publish may succeed later."""


class PublishNotConfirmed(BusError):
    """The broker nacked a publish, or no confirm arrived in time."""


class DatabaseUnavailable(HubError, ConnectionError):
    """The hub database could not be reached (down, restarting, refusing); try again later."""


class DataFolderFull(HubError):
    """The disk under the data folder is full: the hub stops with one line, and a run after
    space is freed resumes from its checkpoints (nothing is lost)."""


class DataFolderBusy(HubError):
    """Another hub process holds this embedded data folder (one hub per embedded folder)."""


class DeadLetterError(HubError, LookupError):
    """A dead-letter operation named an unknown dead letter or one in the wrong state."""


class ConfigError(HubError, ValueError):
    """The configuration is invalid; every problem found is listed in the message."""


class SourceBusy(HubError):
    """Another process holds the read lease of a source instance; read it again later."""

    def __init__(self, instance: str, holder: str, until: str | None = None) -> None:
        lease = f" (lease until {until} UTC)" if until else ""
        super().__init__(
            f"source instance {instance!r} is being read by {holder}{lease}; "
            "one reader at a time, so it is left to that one"
        )
        self.instance = instance
        self.holder = holder
