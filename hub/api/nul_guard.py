"""Refuse NUL bytes in a request's path or query before any route reads them.

No text a hub stores may hold U+0000: PostgreSQL's text type refuses it (a dead-letter filter
with ``%00`` answered 500 there), and SQLite and the ops page would carry it around as data.
An app-wide dependency, so the refusal is a ``RequestValidationError`` that the app's one error
handler renders like every other 422 (Confluent's body and media type).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError

__all__ = ["refuse_nul_bytes"]


def refuse_nul_bytes(request: Request) -> None:
    """Raise ``RequestValidationError`` naming the first query parameter or path with a NUL."""
    query = request.scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for name, value in request.query_params.multi_items():
            if "\x00" in name or "\x00" in value:
                _refuse(("query", name.replace("\x00", "\\x00")))
        _refuse(("query",))
    if "\x00" in request.scope.get("path", ""):
        _refuse(("path",))


def _refuse(where: tuple[str, ...]) -> None:
    raise RequestValidationError(
        [{"loc": where, "msg": "a NUL character (%00) is not allowed", "type": "value_error"}]
    )
