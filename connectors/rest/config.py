"""Configuration shared by the REST connectors: endpoint, timeouts, authentication, paging."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr

from connectors.sdk.config import ConnectorConfig

__all__ = [
    "AuthConfig",
    "BasicAuthConfig",
    "BearerAuthConfig",
    "HttpConfig",
    "NoAuthConfig",
    "OAuth2ClientCredentialsConfig",
    "PaginationConfig",
]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoAuthConfig(_Part):
    """No authentication (a peer on a private network, a test server)."""

    type: Literal["none"] = "none"


class BasicAuthConfig(_Part):
    """HTTP Basic authentication."""

    type: Literal["basic"] = "basic"
    username: str
    password: SecretStr


class BearerAuthConfig(_Part):
    """A static bearer token (``Authorization: Bearer …``)."""

    type: Literal["bearer"] = "bearer"
    token: SecretStr
    #: some APIs want the token in their own header (e.g. ``X-Shopify-Access-Token``)
    header: str = "Authorization"
    scheme: str = "Bearer"


class OAuth2ClientCredentialsConfig(_Part):
    """OAuth 2.0 client credentials: a token from ``token_url``, fetched again when refused."""

    type: Literal["oauth2_client_credentials"] = "oauth2_client_credentials"
    token_url: HttpUrl
    client_id: str
    client_secret: SecretStr
    scope: str | None = None
    #: renew this many seconds before the token's ``expires_in`` runs out
    leeway_seconds: float = Field(30.0, ge=0)


AuthConfig = Annotated[
    NoAuthConfig | BasicAuthConfig | BearerAuthConfig | OAuth2ClientCredentialsConfig,
    Field(discriminator="type"),
]


class PaginationConfig(_Part):
    """How the pages of a list endpoint follow each other."""

    #: ``link``: RFC 8288 ``Link: <…>; rel="next"``; ``cursor``: a token in the body sent back as
    #: a parameter; ``page``: page numbers; ``offset``: offset and limit; ``none``: one page
    style: Literal["link", "cursor", "page", "offset", "none"] = "link"
    page_size: int = Field(100, ge=1, le=10_000)
    #: the query parameter carrying the page size
    size_param: str = "limit"
    #: cursor style: the body path of the next cursor (dots) and the parameter sending it back
    cursor_path: str = "next_cursor"
    cursor_param: str = "cursor"
    #: cursor style: the body path of a boolean saying whether more pages follow, for APIs
    #: that answer a cursor on the last page too (a change feed): the list ends when it is
    #: false, and the last cursor is where the next run resumes, reading only what came after.
    #: Without it, an empty cursor ends the list and the next run starts at its last page.
    has_more_path: str | None = None
    #: page style: the page parameter and the first page's number
    page_param: str = "page"
    first_page: int = 1
    #: offset style: the offset parameter
    offset_param: str = "offset"
    #: page and offset styles: the body path of the number of objects in the whole list, when
    #: the API says it (``meta.total``): the list ends once that many are read, or at an empty
    #: page. Without it a page shorter than page_size ends the list, so page_size must not
    #: exceed what the API serves in one page (its cap) unless the total is named here
    total_path: str | None = None


class HttpConfig(ConnectorConfig):
    """An HTTP peer: base URL, timeouts and authentication."""

    base_url: HttpUrl
    auth: AuthConfig = Field(default_factory=NoAuthConfig)
    #: seconds to connect, and to wait for each read of an answer
    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    #: extra headers sent with every request (not secrets: use ``auth`` for those)
    headers: dict[str, str] = Field(default_factory=dict)
