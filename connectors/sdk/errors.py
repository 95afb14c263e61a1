"""The errors a connector raises, split by what the hub should do about them.

::

    CrossdockError                         the one root (canonical.errors)
    └── ConnectorError                     the connectors' family (connectors.errors)
        ├── TransientConnectorError        the peer may answer next time: retry
        │   ├── ConnectorTimeout           no answer in time (also a TimeoutError)
        │   └── RateLimited                429/503: wait ``retry_after`` seconds, then retry
        ├── AuthExpired                    a token expired: refresh the auth, then retry
        ├── PermanentConnectorError        the same call fails again: never retried
        │   ├── ConnectorConfigError       the configuration is wrong: fail the connector
        │   │   └── UnknownConnector       no connector installed under that name (registry)
        │   ├── AuthenticationFailed       the credentials are refused: fail the connector
        │   ├── RequestRejected            the peer refused this request (4xx): dead-letter
        │   └── SignatureInvalid           a webhook delivery's signature does not verify
        ├── HttpStatusError                an HTTP answer decided by its status code
        ├── SoapFault                      every SOAP fault (connectors.soap.errors)
        └── RecordError                    one record is malformed: dead-letter it alone
            └── MissingColumnError

The hub's one decision table (:mod:`connectors.sdk.decisions`, extended by :mod:`hub.retry`)
maps these classes, and HTTP status codes, to an action and a failure type. A connector raises;
it never retries on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.errors import (
    ConnectorError,
    MissingColumnError,
    RecordError,
    TransientConnectorError,
)

__all__ = [
    "AuthExpired",
    "AuthenticationFailed",
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorTimeout",
    "HttpStatusError",
    "MissingColumnError",
    "PermanentConnectorError",
    "RateLimited",
    "RecordError",
    "RequestRejected",
    "TransientConnectorError",
]


class ConnectorTimeout(TransientConnectorError, TimeoutError):
    """The peer did not answer within the configured timeout."""


class RateLimited(TransientConnectorError):
    """The peer asked us to slow down; ``retry_after`` is the wait it asked for, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class AuthExpired(ConnectorError):
    """The credentials were accepted before and are refused now (e.g. an expired token)."""


class PermanentConnectorError(ConnectorError):
    """The same call will fail the same way: retrying cannot help."""


class ConnectorConfigError(PermanentConnectorError, ValueError):
    """A connector's configuration is invalid; ``problems`` lists every one found."""

    def __init__(self, connector: str, problems: Sequence[str]) -> None:
        self.connector = connector
        self.problems = list(problems)
        super().__init__(f"{connector}: invalid configuration: " + "; ".join(self.problems))


class AuthenticationFailed(PermanentConnectorError):
    """The peer refused the configured credentials."""


class RequestRejected(PermanentConnectorError):
    """The peer refused this request as it is (a 4xx other than auth and rate limits)."""


class HttpStatusError(ConnectorError):
    """An HTTP answer the connector did not expect; the decision table reads ``status``.

    ``retry_after`` is the answer's ``Retry-After`` in seconds (0 when absent) so a
    rate-limited wait honours what the peer asked for.
    """

    def __init__(
        self,
        status: int,
        url: str,
        *,
        method: str = "GET",
        retry_after: float | None = None,
        body: bytes = b"",
    ) -> None:
        self.status = status
        self.url = url
        self.method = method
        self.retry_after = retry_after
        #: the start of the answer's body, for the dead letter and the log
        self.body = body[:2048]
        super().__init__(f"{method} {url}: HTTP {status}")
