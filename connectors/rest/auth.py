"""Authentication for the REST client: basic, bearer, OAuth 2.0 client credentials.

An OAuth 2.0 token is fetched on first use and renewed before it expires. A 401 answer is not
handled here: the decision table says ``REFRESH_AUTH``, the backoff layer calls
:meth:`OAuth2ClientCredentials.refresh` and tries once more. So the auth never loops.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

import httpx

from connectors.rest.config import (
    AuthConfig,
    BasicAuthConfig,
    BearerAuthConfig,
    OAuth2ClientCredentialsConfig,
)
from connectors.sdk.errors import (
    AuthenticationFailed,
    ConnectorTimeout,
    TransientConnectorError,
)

__all__ = ["BearerAuth", "OAuth2ClientCredentials", "RefreshableAuth", "build_auth"]


class RefreshableAuth(httpx.Auth):
    """An auth that can get fresh credentials after the peer refused the current ones."""

    def refresh(self) -> bool:
        """Drop the current credentials so the next request gets new ones; False if static."""
        return False


class BearerAuth(RefreshableAuth):
    """A static token in a header."""

    def __init__(self, token: str, *, header: str = "Authorization", scheme: str = "Bearer"):
        self._value = f"{scheme} {token}" if scheme else token
        self._header = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the token."""
        request.headers[self._header] = self._value
        yield request


class _Basic(RefreshableAuth):
    def __init__(self, username: str, password: str) -> None:
        self._inner = httpx.BasicAuth(username, password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Basic header."""
        return self._inner.auth_flow(request)


class OAuth2ClientCredentials(RefreshableAuth):
    """OAuth 2.0 client-credentials grant (RFC 6749 §4.4), token cached until near expiry."""

    def __init__(self, config: OAuth2ClientCredentialsConfig, client: httpx.Client) -> None:
        self.config = config
        #: the client that fetches tokens (the API client's transport, without this auth)
        self._client = client
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        #: tokens fetched so far (tests and metrics read it)
        self.fetches = 0

    def refresh(self) -> bool:
        """Forget the token: the next request fetches a new one."""
        with self._lock:
            self._token = None
        return True

    def token(self) -> str:
        """A valid access token, fetched when missing or about to expire."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                self._token, lifetime = self._fetch()
                self._expires_at = time.monotonic() + max(lifetime - self.config.leeway_seconds, 0)
            return self._token

    def _fetch(self) -> tuple[str, float]:
        data = {"grant_type": "client_credentials"}
        if self.config.scope:
            data["scope"] = self.config.scope
        url = str(self.config.token_url)
        try:
            answer = self._client.post(
                url,
                data=data,
                auth=(self.config.client_id, self.config.client_secret.get_secret_value()),
            )
        except httpx.TimeoutException as exc:
            raise ConnectorTimeout(f"token endpoint {url}: {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientConnectorError(f"token endpoint {url}: {exc}") from exc
        self.fetches += 1
        if answer.status_code in (400, 401, 403):
            raise AuthenticationFailed(
                f"token endpoint {url} refused client {self.config.client_id!r}: "
                f"HTTP {answer.status_code}"
            )
        if answer.status_code >= 500 or answer.status_code == 429:
            raise TransientConnectorError(f"token endpoint {url}: HTTP {answer.status_code}")
        try:
            body = answer.json()
            return str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError) as exc:
            raise AuthenticationFailed(f"token endpoint {url}: no access_token in answer") from exc

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the bearer token."""
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


def build_auth(config: AuthConfig, token_client: httpx.Client) -> RefreshableAuth | None:
    """The httpx auth for ``config`` (None for no authentication)."""
    if isinstance(config, BasicAuthConfig):
        return _Basic(config.username, config.password.get_secret_value())
    if isinstance(config, BearerAuthConfig):
        return BearerAuth(
            config.token.get_secret_value(), header=config.header, scheme=config.scheme
        )
    if isinstance(config, OAuth2ClientCredentialsConfig):
        return OAuth2ClientCredentials(config, token_client)
    return None
