"""Access control: API tokens with roles (viewer < operator < admin), stored hashed; audit.

Modules: ``roles`` (Role, Principal), ``tables`` (tokens and audit rows, migrated by
``hub.migrations``), ``tokens`` (create, ensure, authenticate, list, revoke), ``audit`` (record
and read the trail), ``access`` (FastAPI dependencies: bearer or page cookie, role requirements).
"""

from hub.auth.audit import audit, audit_log
from hub.auth.roles import Principal, Role
from hub.auth.tokens import (
    TokenError,
    TokenInfo,
    authenticate,
    create_token,
    ensure_token,
    list_tokens,
    revoke_token,
    token_digest,
)

__all__ = [
    "Principal",
    "Role",
    "TokenError",
    "TokenInfo",
    "audit",
    "audit_log",
    "authenticate",
    "create_token",
    "ensure_token",
    "list_tokens",
    "revoke_token",
    "token_digest",
]
