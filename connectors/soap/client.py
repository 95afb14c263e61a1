"""A WSDL-driven SOAP client (zeep) whose failures arrive as the transport's error classes.

zeep reads the WSDL and builds the request from keyword arguments; this module adds what a
connector needs around it: WS-Security UsernameToken, connect/operation timeouts, the redacted
wire log, and one translation of every failure (fault, HTTP status, timeout, broken
connection, unreadable WSDL) into :mod:`connectors.soap.errors`, so the hub's decision table
can act on it. It never retries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.wsse.username import UsernameToken

from connectors.sdk.errors import HttpStatusError, RequestRejected
from connectors.soap.config import SoapConfig
from connectors.soap.errors import (
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

__all__ = ["AUTH_FAULT_CODES", "SoapClient", "classify_fault"]

log = logging.getLogger(__name__)

#: WS-Security 1.1 §12 fault codes that mean "your credentials are refused"
AUTH_FAULT_CODES = frozenset(
    {"FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken", "FailedCheck"}
)
_CLIENT_CLASSES = frozenset({"Client", "Sender"})
_SERVER_CLASSES = frozenset({"Server", "Receiver"})


def _local(code: object) -> str:
    text = str(code)
    return text.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def classify_fault(
    operation: str,
    code: str,
    message: str,
    *,
    subcodes: list[str] | None = None,
    detail: str | None = None,
    transient_codes: frozenset[str] = frozenset(),
    permanent_codes: frozenset[str] = frozenset(),
) -> SoapFault:
    """The error class of a SOAP fault (see :mod:`connectors.soap.errors` for the reasons).

    Codes are compared by local name and by each dotted part: ``soap11env:Client.UnknownSku``
    is class ``Client`` with sub-code ``UnknownSku``.
    """
    subs = [str(s) for s in subcodes or []]
    parts = [p for c in [code, *subs] for p in _local(c).split(".") if p]
    kind = _local(code).split(".", 1)[0]
    args = (operation, code, message)
    kw: dict[str, Any] = {"subcodes": subs, "detail": detail}
    if any(p in permanent_codes for p in parts):
        return SoapClientFault(*args, **kw)
    if any(p in transient_codes for p in parts):
        return SoapServerFault(*args, **kw)
    if any(p in AUTH_FAULT_CODES for p in parts):
        return SoapAuthRefused(*args, **kw)
    if kind in _CLIENT_CLASSES:
        return SoapClientFault(*args, **kw)
    if kind in _SERVER_CLASSES:
        return SoapServerFault(*args, **kw)
    return SoapProtocolFault(*args, **kw)


class SoapClient:
    """Calls the operations of one WSDL service; load the WSDL lazily, on the first call."""

    def __init__(self, config: SoapConfig, *, session: requests.Session | None = None) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._client: zeep.Client | None = None
        self._service: Any = None

    @property
    def client(self) -> zeep.Client:
        """The zeep client (the WSDL is read on first use)."""
        if self._client is None:
            self._load()
        assert self._client is not None
        return self._client

    def _load(self) -> None:
        cfg = self.config
        transport = RedactingTransport(
            session=self._session,
            timeout=cfg.timeout,
            operation_timeout=cfg.operation_timeout,
            redact_elements=cfg.redact_elements,
        )
        wsse = None
        if cfg.username is not None:
            password = cfg.password.get_secret_value() if cfg.password else None
            wsse = UsernameToken(  # type: ignore[no-untyped-call]
                cfg.username, password, use_digest=cfg.password_digest
            )
        with self._translated("loading the WSDL", wsdl=True):
            client = zeep.Client(  # type: ignore[no-untyped-call]
                cfg.wsdl,
                transport=transport,
                wsse=wsse,
            )
            if cfg.endpoint is not None or cfg.binding is not None:
                binding = cfg.binding or _first_binding(client)
                address = cfg.endpoint or _address(client)
                service = client.create_service(binding, address)  # type: ignore[no-untyped-call]
            else:
                service = client.service
        self._client, self._service = client, service

    def operations(self) -> list[str]:
        """The operation names of the bound port."""
        self.client  # noqa: B018  # loads the WSDL
        return sorted(self._service._binding._operations)

    def call(self, operation: str, **params: Any) -> Any:
        """Call ``operation`` with ``params``; return zeep's answer object."""
        self.client  # noqa: B018  # loads the WSDL
        try:
            method = self._service[operation]
        except (AttributeError, KeyError, ValueError) as exc:
            raise WsdlError(f"the WSDL {self.config.wsdl} has no operation {operation!r}") from exc
        with self._translated(operation):
            return method(**params)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._session.close()

    @contextmanager
    def _translated(self, what: str, *, wsdl: bool = False) -> Iterator[None]:
        cfg = self.config
        try:
            yield
        except zeep.exceptions.Fault as fault:
            detail = None
            if fault.detail is not None:
                detail = redact(fault.detail, cfg.redact_elements).decode(errors="replace")
            raise classify_fault(
                what,
                str(fault.code),
                fault.message or "",
                subcodes=[str(s) for s in (fault.subcodes or [])],
                detail=detail,
                transient_codes=frozenset(cfg.transient_fault_codes),
                permanent_codes=frozenset(cfg.permanent_fault_codes),
            ) from fault
        except zeep.exceptions.TransportError as exc:
            url = cfg.endpoint or cfg.wsdl
            if exc.status_code < 400:
                # zeep raises TransportError for a 200 whose body is no SOAP envelope (a proxy's
                # login page, an answer cut short): "HTTP 200" alone named neither the operation
                # nor what was wrong; it is an unreadable answer, like a syntax error below
                raise SoapProtocolFault(
                    what, "XMLSyntax", f"unreadable answer from {url}: {exc.message}"
                ) from exc
            raise HttpStatusError(
                exc.status_code, url, method="POST", body=exc.content or b""
            ) from exc
        except requests.exceptions.Timeout as exc:
            limit = cfg.timeout if wsdl else cfg.operation_timeout
            raise SoapTimeout(f"{what}: no answer within {limit} s") from exc
        except requests.exceptions.ConnectionError as exc:
            raise SoapUnavailable(f"{what}: {exc}") from exc
        except requests.exceptions.HTTPError as exc:  # the WSDL's own download
            status = exc.response.status_code if exc.response is not None else 0
            if status >= 500:
                raise SoapUnavailable(f"{what}: HTTP {status}") from exc
            raise WsdlError(f"{what}: HTTP {status} for {cfg.wsdl}") from exc
        except (
            zeep.exceptions.XMLSyntaxError,
            zeep.exceptions.WsdlSyntaxError,
            zeep.exceptions.LookupError,
            etree.XMLSyntaxError,
            FileNotFoundError,
        ) as exc:
            if not wsdl:
                raise SoapProtocolFault(what, "XMLSyntax", f"unreadable answer: {exc}") from exc
            raise WsdlError(f"{what}: {cfg.wsdl}: {exc}") from exc
        except (zeep.exceptions.ValidationError, TypeError) as exc:
            # the parameters do not fit the WSDL's types: this record can never be sent
            raise RequestRejected(f"{what}: request does not match the WSDL: {exc}") from exc


def _first_binding(client: zeep.Client) -> str:
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            return str(port.binding.name)
    raise WsdlError("the WSDL defines no service port")


def _address(client: zeep.Client) -> str:
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            return str(port.binding_options["address"])
    raise WsdlError("the WSDL defines no service address")
