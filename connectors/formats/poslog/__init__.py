"""ARTS/NRF POSLog XML: store transactions to inventory and return events."""

from connectors.formats.poslog.reader import ARTS_NAMESPACE, PoslogFormat

__all__ = ["ARTS_NAMESPACE", "PoslogFormat"]
