"""Refuse NUL bytes in a request's path or query before any route sees them.

No text a hub stores may hold U+0000: PostgreSQL's text type refuses it (a dead-letter filter
with ``%00`` answered 500 there), and SQLite and the ops page would carry it around as data.
A pure ASGI middleware, not Starlette's ``BaseHTTPMiddleware``: it runs on every webhook
delivery, and a scan of two short byte strings costs next to nothing there.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

__all__ = ["RefuseNulBytes"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class RefuseNulBytes:
    """Answer 422 naming the parameter when the path or a query value holds a NUL byte."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = _nul_in(scope)
            if where is not None:
                await _refuse(send, where)
                return
        await self.app(scope, receive, send)


def _nul_in(scope: Scope) -> list[str] | None:
    """The location (FastAPI's ``loc`` form) of the first NUL byte, or ``None``."""
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                return ["query", name.replace("\x00", "\\x00")]
        return ["query"]
    path = scope.get("raw_path") or scope.get("path", "").encode()
    if b"%00" in path or b"\x00" in path or "\x00" in unquote(scope.get("path", "")):
        return ["path"]
    return None


async def _refuse(send: Send, where: list[str]) -> None:
    message = f"{'.'.join(where)}: a NUL character (%00) is not allowed"
    body = json.dumps(
        {
            "detail": [{"loc": where, "msg": "NUL character not allowed", "type": "value_error"}],
            "error_code": 422,
            "message": message,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
