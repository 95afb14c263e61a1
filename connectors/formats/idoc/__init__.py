"""SAP IDoc XML: ORDERS05, WMMBID02 and INVOIC02 (and any other basic type) as messages."""

from connectors.formats.idoc.reader import IdocFormat

__all__ = ["IdocFormat"]
