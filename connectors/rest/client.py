"""The REST client: httpx with timeouts, auth, and failures turned into the SDK's errors.

:meth:`RestClient.send` makes one attempt and raises :class:`HttpStatusError` for an answer
of 400 or more (with ``Retry-After`` parsed), :class:`ConnectorTimeout` or
:class:`TransientConnectorError` for the network. :meth:`RestClient.call` wraps ``send`` in
the backoff layer, which asks the decision table: a 429/503 waits for ``Retry-After``, a 401
refreshes the auth once, a 5xx backs off, a 404 is final. No retry loop lives here.
"""

from __future__ import annotations

import codecs
import email.utils
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.rest.auth import RefreshableAuth, build_auth
from connectors.rest.config import HttpConfig
from connectors.sdk.errors import ConnectorTimeout, HttpStatusError, TransientConnectorError
from connectors.sdk.retry import RetryPolicy, retrying

__all__ = ["RestClient", "json_body", "parse_retry_after"]


def json_body(answer: httpx.Response) -> Any:
    """The answer's JSON, read in the charset its ``Content-Type`` declares.

    httpx's ``Response.json()`` ignores the declared charset and guesses UTF-8/16/32 from the
    bytes (RFC 8259), so an ERP answering ``charset=ISO-8859-1`` or ``windows-1252`` (it
    happens) had every page dead-lettered as "not JSON". Strict decoding: a byte the charset
    cannot decode raises ``UnicodeDecodeError`` (a ``ValueError``) rather than a silent U+FFFD.
    """
    declared = answer.charset_encoding
    try:
        codec = codecs.lookup(declared).name if declared else None
    except LookupError:  # a charset Python does not know: let json detect the encoding
        codec = None
    if codec is None or codec.startswith("utf-"):
        return json.loads(answer.content)
    return json.loads(answer.content.decode(codec))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).

    Fractional seconds are accepted too: Shopify sends ``Retry-After: 2.0``.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC).timestamp()
    return max(when.timestamp() - current, 0.0)


def _target(exc: httpx.TransportError, url: str) -> str:
    """The full URL a failed request went to (``url`` may be relative to the base URL)."""
    try:
        return str(exc.request.url)
    except RuntimeError:  # httpx raised before it built the request
        return url


class RestClient:
    """One peer's HTTP client; share it across a connector's calls (keeps connections)."""

    def __init__(
        self,
        config: HttpConfig,
        *,
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.config = config
        self.policy = policy or RetryPolicy()
        self.sleep = sleep or time.sleep
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
        self.http = httpx.Client(
            base_url=str(config.base_url),
            timeout=timeout,
            headers=config.headers,
            transport=transport,
            follow_redirects=True,
        )
        self.auth: RefreshableAuth | None = build_auth(config.auth, self.http)

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh_auth(self) -> bool:
        """Get fresh credentials on the next request (False: the auth is static)."""
        return self.auth.refresh() if self.auth is not None else False

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One attempt; an answer of 400 or more raises :class:`HttpStatusError`."""
        try:
            answer = self.http.request(
                method,
                url,
                params=params,
                json=json,
                content=content,
                headers=headers,
                auth=self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise ConnectorTimeout(
                f"{method} {_target(exc, url)}: no answer in time ({exc})"
            ) from exc
        except httpx.TransportError as exc:
            raise TransientConnectorError(f"{method} {_target(exc, url)}: {exc}") from exc
        if answer.status_code >= 400:
            raise HttpStatusError(
                answer.status_code,
                str(answer.request.url),
                method=method,
                retry_after=parse_retry_after(answer.headers.get("retry-after")),
                body=answer.content,
            )
        return answer

    def call(
        self,
        method: str,
        url: str,
        *,
        on_retry: Callable[[BaseException, int], None] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """:meth:`send`, retried as the decision table says."""
        return retrying(
            self.policy,
            lambda: self.send(method, url, **kwargs),
            on_retry=on_retry,
            refresh_auth=self.refresh_auth,
            sleep=self.sleep,
        )
