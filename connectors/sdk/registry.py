"""Former home of :mod:`connectors.sdk.entry_points` (finding installed connectors).

Connector packages outside this repository may import it by this name, so it re-exports the
names and warns once; new code imports :mod:`connectors.sdk` or
:mod:`connectors.sdk.entry_points`.
"""

from __future__ import annotations

import warnings

from connectors.sdk.entry_points import (
    ENTRY_POINT_GROUP,
    UnknownConnector,
    connector_entry_points,
    load_connector,
)

__all__ = ["ENTRY_POINT_GROUP", "UnknownConnector", "connector_entry_points", "load_connector"]

warnings.warn(
    "connectors.sdk.registry is deprecated: import from connectors.sdk (or "
    "connectors.sdk.entry_points)",
    DeprecationWarning,
    stacklevel=2,
)
