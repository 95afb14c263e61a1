"""Content negotiation of the Confluent API, as Confluent's JAX-RS resources do it.

Every Confluent resource ``@Produces`` three media types, weighted by the server (``qs``):
``application/vnd.schemaregistry.v1+json`` (1), ``application/vnd.schemaregistry+json`` (0.9)
and ``application/json`` (0.5), and ``@Consumes`` those plus ``application/octet-stream``.
So an ``Accept`` none of them satisfies answers 406, a body of another type 415, and of the
acceptable types the one with the client's highest ``q``, then the server's ``qs``, then the
most specific client range wins (``*/*`` gets the v1 type, ``application/json`` gets JSON).

It is an ASGI middleware over the Confluent paths only (the per-message validate route and
the rest of the hub never pass through it): it also routes on the raw path, so that ``%2F``
stays inside a subject name (:mod:`hub.registry.subject_paths`), drops a trailing ``/``,
which Confluent's routes accept, and hands an octet-stream body to the JSON parser as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.registry.content import REGISTRY_MEDIA_TYPE, is_confluent_path
from hub.registry.subject_paths import routing_path

__all__ = ["PRODUCED", "ConfluentNegotiation", "negotiate"]

PRODUCED: tuple[tuple[str, float], ...] = (
    (REGISTRY_MEDIA_TYPE, 1.0),
    ("application/vnd.schemaregistry+json", 0.9),
    ("application/json", 0.5),
)
"""The media types every Confluent route produces, with the server's weight (``qs``)."""

_CONSUMED = frozenset({*(t for t, _ in PRODUCED), "application/octet-stream"})
_NOT_ACCEPTABLE = b'{"error_code":406,"message":"HTTP 406 Not Acceptable"}'
_UNSUPPORTED = b'{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}'


def _ranges(accept: str) -> Iterable[tuple[str, str, float]]:
    """``(type, subtype, q)`` of each media range in an Accept header."""
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        kind, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        yield kind, (sub or "*"), q


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when none is acceptable (406)."""
    if not accept or not accept.strip():
        return REGISTRY_MEDIA_TYPE
    ranges = list(_ranges(accept))
    best: tuple[float, float, int] | None = None
    chosen = None
    for media, qs in PRODUCED:
        kind, _, sub = media.partition("/")
        match: tuple[int, float] | None = None  # (specificity, q) of the closest client range
        for r_kind, r_sub, q in ranges:
            if r_kind == "*":
                specificity = 0
            elif r_kind == kind and r_sub == "*":
                specificity = 1
            elif r_kind == kind and r_sub == sub:
                specificity = 2
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q)
        if match is None or match[1] <= 0:
            continue
        score = (match[1], qs, match[0])
        if best is None or score > best:
            best, chosen = score, media
    return chosen


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            text: str = value.decode("latin-1")
            return text
    return None


class ConfluentNegotiation:
    """ASGI middleware: trailing ``/``, ``Accept`` (406) and ``Content-Type`` (415)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_confluent_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        scope = self._routing_scope(scope)
        chosen = negotiate(_header(scope, b"accept"))
        if chosen is None:
            await _refuse(send, 406, _NOT_ACCEPTABLE)
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            content_type = _header(scope, b"content-type")
            media = (content_type or "").split(";")[0].strip().lower()
            if media and media not in _CONSUMED:
                await _refuse(send, 415, _UNSUPPORTED)
                return
            if media in ("", "application/octet-stream"):
                # JAX-RS reads an untyped body as octet-stream, which Confluent consumes
                # as JSON; FastAPI parses only what is declared JSON.
                scope = _with_json_body(scope)
        if chosen == REGISTRY_MEDIA_TYPE:
            await self.app(scope, receive, send)
            return

        async def send_as(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [
                    (k, chosen.encode())
                    if k.lower() == b"content-type" and v.split(b";")[0] == _V1
                    else (k, v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_as)

    @staticmethod
    def _routing_scope(scope: Scope) -> Scope:
        """The path routed on: encoded slashes kept in their segment, no trailing ``/``."""
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        if len(raw) > 1 and raw.endswith(b"/"):
            raw = raw[:-1]
        return {**scope, "path": routing_path(raw), "raw_path": raw}


_V1 = REGISTRY_MEDIA_TYPE.encode()


def _with_json_body(scope: Scope) -> Scope:
    headers: list[Any] = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-type"]
    headers.append((b"content-type", b"application/json"))
    return {**scope, "headers": headers}


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", _V1),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
