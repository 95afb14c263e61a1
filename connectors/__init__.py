"""Connectors: transports and formats that turn source systems' bytes into RawRecords."""

from connectors.errors import (
    ConnectorError,
    MissingColumnError,
    RecordError,
    TransientConnectorError,
)
from connectors.record import RawRecord

__all__ = [
    "ConnectorError",
    "MissingColumnError",
    "RawRecord",
    "RecordError",
    "TransientConnectorError",
]
