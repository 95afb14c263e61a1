"""REST with httpx: polling with pagination and auth, pushing events, webhook signatures.

- :class:`RestClient` — timeouts, auth (basic, bearer, OAuth 2.0 client credentials), HTTP
  failures as the SDK's errors, retried by the one decision table (429/503 honour
  ``Retry-After``; a 401 refreshes an OAuth token once).
- :class:`Paginator` — Link header, cursor, page number, offset.
- :class:`RestSource` (entry point ``rest``) and :class:`RestSink` (``rest-push``).
- :class:`ShopifySignature`, :class:`StandardWebhookSignature` — inbound webhook signatures
  (the ingress route is ``hub/api/webhooks.py``).
"""

from connectors.rest.auth import BearerAuth, OAuth2ClientCredentials, RefreshableAuth, build_auth
from connectors.rest.client import RestClient, parse_retry_after
from connectors.rest.config import (
    AuthConfig,
    BasicAuthConfig,
    BearerAuthConfig,
    HttpConfig,
    NoAuthConfig,
    OAuth2ClientCredentialsConfig,
    PaginationConfig,
)
from connectors.rest.pagination import PageRequest, Paginator, dig
from connectors.rest.signatures import (
    ShopifySignature,
    SignatureScheme,
    StandardWebhookSignature,
    sign_shopify,
    sign_standard,
)
from connectors.rest.sink import RestSink, RestSinkConfig
from connectors.rest.source import (
    RestSource,
    RestSourceConfig,
    RestStreamConfig,
    RestWebhookConfig,
    read_pages,
)

__all__ = [
    "AuthConfig",
    "BasicAuthConfig",
    "BearerAuth",
    "BearerAuthConfig",
    "HttpConfig",
    "NoAuthConfig",
    "OAuth2ClientCredentials",
    "OAuth2ClientCredentialsConfig",
    "PageRequest",
    "PaginationConfig",
    "Paginator",
    "RefreshableAuth",
    "RestClient",
    "RestSink",
    "RestSinkConfig",
    "RestSource",
    "RestSourceConfig",
    "RestStreamConfig",
    "RestWebhookConfig",
    "ShopifySignature",
    "SignatureScheme",
    "StandardWebhookSignature",
    "build_auth",
    "dig",
    "parse_retry_after",
    "read_pages",
    "sign_shopify",
    "sign_standard",
]
