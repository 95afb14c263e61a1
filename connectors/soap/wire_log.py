"""Request/response logging for SOAP calls, with secrets redacted before anything is logged.

A zeep plugin sees each envelope on its way out and in. It logs (logger
``connectors.soap.wire``, DEBUG) a *copy* in which the text of every element named in
``redact_elements`` (WS-Security Password and Nonce, tokens, API keys…) is ``***`` and the
``Authorization``/``Cookie`` headers are masked; the envelope sent is never changed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree
from zeep import Plugin

__all__ = ["REDACTED", "RedactingWireLog", "redact"]

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


class RedactingWireLog(Plugin):
    """zeep plugin: log each envelope (redacted) with the operation's name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)

    def egress(
        self,
        envelope: etree._Element,
        http_headers: dict[str, Any],
        operation: Any,
        binding_options: Any,
    ) -> tuple[etree._Element, dict[str, Any]]:
        """Log the outgoing request."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "SOAP request %s headers=%s body=%s",
                getattr(operation, "name", operation),
                _headers(http_headers),
                redact(envelope, self.names).decode(errors="replace"),
            )
        return envelope, http_headers

    def ingress(
        self, envelope: etree._Element, http_headers: Mapping[str, Any], operation: Any
    ) -> tuple[etree._Element, Mapping[str, Any]]:
        """Log the incoming response (faults included)."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "SOAP response %s headers=%s body=%s",
                getattr(operation, "name", operation),
                _headers(http_headers),
                redact(envelope, self.names).decode(errors="replace"),
            )
        return envelope, http_headers
