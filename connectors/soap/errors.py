"""Errors of the SOAP transport, and why each kind of SOAP fault is (not) retried.

::

    CrossdockError                       the one root (canonical.errors)
    └── ConnectorError
        ├── SoapFault                    every SOAP fault: operation, code(s), text, detail
        │   ├── SoapServerFault          fault code Server (1.1) / Receiver (1.2), or a code the
        │   │                            connector lists in ``transient_fault_codes``
        │   │                            (also a TransientConnectorError: retried)
        │   ├── SoapClientFault          fault code Client (1.1) / Sender (1.2): the request is
        │   │                            wrong (also the SDK's RequestRejected: dead-letter it)
        │   ├── SoapAuthRefused          WS-Security refused the UsernameToken
        │   │                            (FailedAuthentication, InvalidSecurity…; also an
        │   │                            AuthenticationFailed: fail the connector, a config problem)
        │   └── SoapProtocolFault        VersionMismatch, MustUnderstand, or a code SOAP does not
        │                                define and the connector did not list (permanent)
        ├── TransientConnectorError
        │   ├── SoapUnavailable          endpoint unreachable, connection refused or broken
        │   └── SoapTimeout              no answer within ``operation_timeout`` (a TimeoutError)
        ├── PermanentConnectorError
        │   └── WsdlError                the WSDL cannot be read or lacks the operation
        └── HttpStatusError (SDK)        an HTTP error answer, no SOAP fault: by status

Why Client/Sender is permanent and Server/Receiver transient: SOAP 1.1 §4.4.1 says a Client
fault means the message "should not be resent without change", and a Server fault that the
failure is "not directly attributable to the contents of the message", so "the message may
succeed at a later point in time"; SOAP 1.2 §5.4.6 says the same of Sender and Receiver. Many
ERPs put a real cause in a sub-code (a locked record, a busy batch window): list those in
``transient_fault_codes`` (or ``permanent_fault_codes``) and they win over the class.

Retrying a write after a timeout may apply it twice on the peer: the SOAP sink sends the event
id as the request's idempotency key so the ERP can drop the copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connectors.errors import ConnectorError, TransientConnectorError
from connectors.sdk.decisions import Action, Decision, FailureType, RowKey
from connectors.sdk.errors import (
    AuthenticationFailed,
    ConnectorTimeout,
    PermanentConnectorError,
    RequestRejected,
)

__all__ = [
    "SOAP_ERROR_ROWS",
    "SoapAuthRefused",
    "SoapClientFault",
    "SoapFault",
    "SoapProtocolFault",
    "SoapServerFault",
    "SoapTimeout",
    "SoapUnavailable",
    "WsdlError",
]


class SoapFault(ConnectorError):
    """What every SOAP fault error carries: the operation, the code(s), the text and detail."""

    def __init__(
        self,
        operation: str,
        code: str,
        message: str,
        *,
        subcodes: Sequence[str] = (),
        detail: str | None = None,
    ) -> None:
        self.operation = operation
        #: the fault code as received (``soap11env:Client.UnknownSku``, ``soap:Receiver``)
        self.code = code
        self.subcodes = list(subcodes)
        self.message = message
        #: the fault's detail element, serialised (redacted like the wire log)
        self.detail = detail
        codes = " / ".join([code, *self.subcodes])
        super().__init__(f"{operation}: SOAP fault {codes}: {message}")


class SoapUnavailable(TransientConnectorError, ConnectionError):
    """The SOAP endpoint could not be reached or the connection broke."""


class SoapTimeout(ConnectorTimeout):
    """The SOAP endpoint did not answer within the operation timeout."""


class SoapServerFault(SoapFault, TransientConnectorError):
    """A fault the peer blames on itself (Server/Receiver): the same call may work later."""


class SoapClientFault(SoapFault, RequestRejected):
    """A fault the peer blames on the request (Client/Sender): resending it cannot help."""


class SoapAuthRefused(SoapFault, AuthenticationFailed):
    """The peer's WS-Security layer refused the credentials."""


class SoapProtocolFault(SoapFault, PermanentConnectorError):
    """VersionMismatch, MustUnderstand, or a fault code nobody classified."""


class WsdlError(PermanentConnectorError):
    """The WSDL could not be loaded or parsed, or it has no such operation."""


#: rows the SOAP connectors add to the decision table
SOAP_ERROR_ROWS: Mapping[RowKey, Decision] = {
    SoapServerFault: Decision(Action.RETRY, FailureType.TRANSIENT),
    SoapClientFault: Decision(Action.DEAD_LETTER, FailureType.DATA),
    SoapAuthRefused: Decision(Action.FAIL, FailureType.CONFIG),
    SoapProtocolFault: Decision(Action.DEAD_LETTER, FailureType.SYSTEM),
    WsdlError: Decision(Action.FAIL, FailureType.CONFIG),
}
