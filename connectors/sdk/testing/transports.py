"""Stub HTTP transports for connector tests: scripted answers and recorded-response replay.

Both plug into ``httpx.Client(transport=...)``, so a connector's own code runs unchanged and
offline. A recording is a JSON file of request/response pairs, kept in the connector's repo::

    {"interactions": [
        {"request": {"method": "GET", "url": "https://shop.example/orders.json?limit=2"},
         "response": {"status": 200, "headers": {"Link": "<...>; rel=\\"next\\""},
                      "json": {"orders": []}}}]}

A response gives ``json``, ``text`` or ``body_b64``. Requests match on method and URL (query
parameters in any order); repeated identical requests get the recorded answers in order.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

__all__ = [
    "RecordingTransport",
    "ReplayMiss",
    "ReplayTransport",
    "ScriptedTransport",
    "request_key",
]

#: an answer a scripted transport gives: a response, or an exception to raise
Answer = httpx.Response | BaseException | Callable[[httpx.Request], httpx.Response]


class ReplayMiss(AssertionError):
    """A request the recording does not hold (the test would otherwise reach the network)."""


def request_key(method: str, url: str | httpx.URL) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """Method, URL without query, and sorted query pairs: what a replay matches on."""
    parts = urlsplit(str(url))
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return method.upper(), base, tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


class ScriptedTransport(httpx.BaseTransport):
    """Answers in the order given, whatever the request; keeps every request it saw."""

    def __init__(self, answers: Iterable[Answer]) -> None:
        self.answers: deque[Answer] = deque(answers)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The next scripted answer."""
        request.read()
        self.requests.append(request)
        if not self.answers:
            raise ReplayMiss(f"no scripted answer left for {request.method} {request.url}")
        answer = self.answers.popleft()
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


def _response(spec: dict[str, Any]) -> httpx.Response:
    headers = spec.get("headers", {})
    status = int(spec.get("status", 200))
    if "json" in spec:
        return httpx.Response(status, headers=headers, json=spec["json"])
    if "body_b64" in spec:
        return httpx.Response(status, headers=headers, content=base64.b64decode(spec["body_b64"]))
    return httpx.Response(status, headers=headers, text=spec.get("text", ""))


class ReplayTransport(httpx.BaseTransport):
    """Serves recorded responses; a request not in the recording raises :class:`ReplayMiss`."""

    def __init__(self, interactions: Iterable[dict[str, Any]]) -> None:
        self._answers: dict[Any, deque[dict[str, Any]]] = defaultdict(deque)
        for item in interactions:
            req = item["request"]
            self._answers[request_key(req.get("method", "GET"), req["url"])].append(
                item["response"]
            )
        self.requests: list[httpx.Request] = []

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayTransport:
        """Load a recording written by :class:`RecordingTransport` (or by hand)."""
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(loaded["interactions"])

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The next recorded answer to this method and URL."""
        request.read()
        self.requests.append(request)
        queue = self._answers.get(request_key(request.method, request.url))
        if not queue:
            known = sorted({f"{k[0]} {k[1]}" for k in self._answers})
            raise ReplayMiss(f"not recorded: {request.method} {request.url}; recorded: {known}")
        # the last answer stays for any further identical request (e.g. a probe made twice)
        return _response(queue.popleft() if len(queue) > 1 else queue[0])


class RecordingTransport(httpx.BaseTransport):
    """Wraps a real transport and writes each exchange, for a replay in tests.

    Headers named in ``redact`` (authorization by default) are not written.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        path: str | Path,
        *,
        redact: Iterable[str] = ("authorization", "cookie", "set-cookie"),
    ) -> None:
        self.inner = inner
        self.path = Path(path)
        self.redact = {h.lower() for h in redact}
        self.interactions: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward the request, keep the exchange, save the file."""
        response = self.inner.handle_request(request)
        body = response.read()
        headers = {k: v for k, v in response.headers.items() if k.lower() not in self.redact}
        headers.pop("content-length", None)
        headers.pop("content-encoding", None)
        self.interactions.append(
            {
                "request": {"method": request.method, "url": str(request.url)},
                "response": {
                    "status": response.status_code,
                    "headers": headers,
                    "body_b64": base64.b64encode(body).decode(),
                },
            }
        )
        self.path.write_text(
            json.dumps({"interactions": self.interactions}, indent=2), encoding="utf-8"
        )
        return httpx.Response(response.status_code, headers=headers, content=body)
