"""Connectors: transports and formats that turn source systems' bytes into RawRecords."""

from __future__ import annotations

from typing import TYPE_CHECKING

from canonical.lazy_exports import lazy_exports

# the names load on first use (PEP 562): importing one submodule, or this package for one
# name, does not pay for all of them (see canonical.lazy_exports)
if TYPE_CHECKING:
    from connectors.errors import (
        ConnectorError,
        MissingColumnError,
        RecordError,
        TransientConnectorError,
    )
    from connectors.record import RawRecord

_HOMES = {
    "ConnectorError": "connectors.errors",
    "MissingColumnError": "connectors.errors",
    "RawRecord": "connectors.record",
    "RecordError": "connectors.errors",
    "TransientConnectorError": "connectors.errors",
}

__all__ = [
    "ConnectorError",
    "MissingColumnError",
    "RawRecord",
    "RecordError",
    "TransientConnectorError",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
