"""SOAP transport (zeep) and a worked ERP stock connector pair built on the connector SDK.

Modules: ``config`` (:class:`SoapConfig`), ``client`` (:class:`SoapClient`: WSDL, WS-Security
UsernameToken, timeouts, fault classification), ``wire_log`` (redacted request/response log),
``errors`` (which fault is retried, and why), ``erp_stock`` (goods receipts in, stock
adjustments out); ``testing`` holds a spyne SOAP server for tests only.
"""

from connectors.soap.client import AUTH_FAULT_CODES, SoapClient, classify_fault
from connectors.soap.config import DEFAULT_REDACTED_ELEMENTS, SoapConfig
from connectors.soap.erp_stock import (
    ErpGoodsReceiptSource,
    ErpStockConfig,
    ErpStockSink,
    receipt_event,
)
from connectors.soap.errors import (
    SOAP_ERROR_ROWS,
    SoapAuthRefused,
    SoapClientFault,
    SoapFault,
    SoapProtocolFault,
    SoapServerFault,
    SoapTimeout,
    SoapUnavailable,
    WsdlError,
)
from connectors.soap.wire_log import RedactingTransport, redact

__all__ = [
    "AUTH_FAULT_CODES",
    "DEFAULT_REDACTED_ELEMENTS",
    "SOAP_ERROR_ROWS",
    "ErpGoodsReceiptSource",
    "ErpStockConfig",
    "ErpStockSink",
    "RedactingTransport",
    "SoapAuthRefused",
    "SoapClient",
    "SoapClientFault",
    "SoapConfig",
    "SoapFault",
    "SoapProtocolFault",
    "SoapServerFault",
    "SoapTimeout",
    "SoapUnavailable",
    "WsdlError",
    "classify_fault",
    "receipt_event",
    "redact",
]
