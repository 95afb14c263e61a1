"""Request/response logging for SOAP calls, with secrets redacted before anything is logged.

:class:`RedactingTransport` is zeep's HTTP transport with a log of what really goes over the
wire: it sees the envelope after the WS-Security header was added (a zeep plugin runs before
that, so it would log a request that was never sent). It logs (logger
``connectors.soap.wire``, DEBUG) a *copy* in which the text of every element named in
``redact_elements`` (WS-Security Password and Nonce, tokens, API keys…) is ``***`` and the
``Authorization``/``Cookie`` headers are masked; the envelope sent is never changed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import requests
from lxml import etree
from zeep.transports import Transport

__all__ = ["REDACTED", "RedactingTransport", "redact"]

log = logging.getLogger("connectors.soap.wire")

REDACTED = "***"
_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


def redact(envelope: etree._Element, names: Iterable[str]) -> bytes:
    """The envelope serialised with the text of every element in ``names`` replaced."""
    wanted = {n.lower() for n in names}
    clone = copy.deepcopy(envelope)
    for element in clone.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if etree.QName(element).localname.lower() in wanted:
            if element.text:
                element.text = REDACTED
            for child in list(element):
                element.remove(child)
    return etree.tostring(clone)


def _headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: REDACTED if k.lower() in _SECRET_HEADERS else v for k, v in headers.items()}


class RedactingTransport(Transport):
    """zeep's transport, logging each request and response envelope (redacted)."""

    def __init__(self, *args: Any, redact_elements: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self.redact_elements = tuple(redact_elements)

    def post_xml(
        self, address: str, envelope: etree._Element, headers: dict[str, Any]
    ) -> requests.Response:
        """Send ``envelope``; log both directions when DEBUG is on for the wire logger."""
        verbose = log.isEnabledFor(logging.DEBUG)
        action = headers.get("SOAPAction", "")
        if verbose:
            log.debug(
                "SOAP request %s to %s headers=%s body=%s",
                action,
                address,
                _headers(headers),
                redact(envelope, self.redact_elements).decode(errors="replace"),
            )
        response: requests.Response = super().post_xml(address, envelope, headers)  # type: ignore[no-untyped-call]
        if verbose:
            try:
                body = redact(etree.fromstring(response.content), self.redact_elements)
                text = body.decode(errors="replace")
            except etree.XMLSyntaxError:  # not XML: say how much, show none of it
                text = f"<{len(response.content)} bytes, not XML>"
            log.debug(
                "SOAP response %s HTTP %s headers=%s body=%s",
                action,
                response.status_code,
                _headers(response.headers),
                text,
            )
        return response
