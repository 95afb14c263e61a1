"""Real local servers for the target tests: an HTTP receiver on uvicorn, SMTP on aiosmtpd."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, Request, Response


@dataclass
class Receiver:
    """Records accepted requests; answers ``fail_status`` to the first ``fail_first`` of them."""

    fail_first: int = 0
    fail_status: int = 503
    attempts: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> FastAPI:
        """An app accepting POSTs on any path; ServiceNow- and Jira-shaped answers."""
        api = FastAPI()

        @api.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            body = await request.body()
            with self.lock:
                self.attempts += 1
                if self.attempts <= self.fail_first:
                    return Response(status_code=self.fail_status)
                self.accepted.append(
                    {
                        "path": "/" + path,
                        "headers": dict(request.headers),
                        "body": body,
                        "json": json.loads(body),
                    }
                )
                n = len(self.accepted)
            if path.startswith("api/now/table/"):
                return Response(
                    json.dumps({"result": {"sys_id": f"sys-{n}", "number": f"INC{n:07}"}}),
                    201,
                    media_type="application/json",
                )
            if path == "rest/api/2/issue":
                return Response(
                    json.dumps({"id": str(n), "key": f"OPS-{n}"}),
                    201,
                    media_type="application/json",
                )
            return Response(status_code=202)

        return api


@contextmanager
def serve_http(app: FastAPI, port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (an ephemeral port unless given); yield its URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class MailHandler:
    """aiosmtpd handler: answers ``fail_reply`` to the first ``fail_first`` messages."""

    def __init__(self, fail_first: int = 0, fail_reply: str = "451 4.3.0 try again later"):
        self.fail_first = fail_first
        self.fail_reply = fail_reply
        self.attempts = 0
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return self.fail_reply
        content = envelope.original_content or b""
        self.messages.append(content)
        return "250 OK"


@contextmanager
def serve_smtp(handler: MailHandler) -> Iterator[int]:
    """Run an aiosmtpd server on 127.0.0.1 with an ephemeral port; yield the port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
