"""Finding connectors: the entry-point group ``crossdock.connectors`` (built-ins and third-party).

A package registers ``NAME = "package.module:ConnectorClass"`` under
``[project.entry-points."crossdock.connectors"]``; the hub sees it once the package is
installed, with no change to the hub.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from connectors.sdk.connector import Connector
from connectors.sdk.errors import ConnectorConfigError

__all__ = ["ENTRY_POINT_GROUP", "UnknownConnector", "connector_entry_points", "load_connector"]

ENTRY_POINT_GROUP = "crossdock.connectors"


class UnknownConnector(ConnectorConfigError, LookupError):
    """No installed connector has this name."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name, [f"no connector named {name!r}; installed: {', '.join(known)}"])


def connector_entry_points() -> dict[str, EntryPoint]:
    """Installed connectors by name, sorted."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return dict(sorted(found.items()))


def load_connector(name: str) -> type[Connector]:  # type: ignore[type-arg]
    """The connector class registered as ``name``."""
    eps = connector_entry_points()
    ep = eps.get(name)
    if ep is None:
        raise UnknownConnector(name, list(eps))
    cls = ep.load()
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise ConnectorConfigError(name, [f"entry point {ep.value} is not a Connector class"])
    return cls
