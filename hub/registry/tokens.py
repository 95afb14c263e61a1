"""The registry's tokens are the hub's: :mod:`hub.auth` (kept importable from here)."""

from __future__ import annotations

from hub.auth.roles import Principal, Role
from hub.auth.tokens import authenticate, create_token, ensure_token, token_digest

__all__ = ["Principal", "Role", "authenticate", "create_token", "ensure_token", "token_digest"]
