"""The REST sink: canonical events pushed to an HTTP endpoint, one POST per event.

Each event goes as CloudEvents structured JSON (``application/cloudevents+json``) with
``Idempotency-Key: <event id>``, so a retried write is recognisable at the peer. A refusal
the table calls data (400, 404, 409, 422) rejects that event alone (it becomes a dead
letter); anything retryable (timeouts, 5xx, 429 after ``Retry-After``, 401 after an OAuth
refresh) is retried by the backoff layer inside :meth:`RestClient.call`; a failure that
stays is raised and fails the write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import httpx
from pydantic import Field

from connectors.errors import RecordError
from connectors.rest.client import RestClient
from connectors.rest.config import HttpConfig
from connectors.sdk.connector import Event, Sink, WriteReport
from connectors.sdk.decisions import Action
from connectors.sdk.errors import HttpStatusError

__all__ = ["RestSink", "RestSinkConfig"]


class RestSinkConfig(HttpConfig):
    """An HTTP endpoint receiving canonical events."""

    #: path (relative to ``base_url``) events are POSTed to
    path: str = "/events"
    #: canonical event types to send (empty: all)
    event_types: list[str] = Field(default_factory=list)
    #: a cheap authenticated GET for ``check()``
    probe_path: str = "/"


class RestSink(Sink[RestSinkConfig]):
    """POSTs canonical events (see the module doc)."""

    name = "rest-push"
    config_model = RestSinkConfig

    def __init__(
        self,
        config: RestSinkConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(config)
        self.client = RestClient(config, policy=self.policy(), transport=transport, sleep=sleep)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def refresh_auth(self) -> bool:
        """Drop an OAuth token so the next request fetches a new one."""
        return self.client.refresh_auth()

    def probe(self) -> str:
        """GET the probe path once."""
        answer = self.client.send("GET", self.config.probe_path)
        return f"{answer.request.url}: HTTP {answer.status_code}"

    def write(self, events: Sequence[Event]) -> WriteReport:
        """POST each event; data refusals are rejected one by one, other failures raise."""
        report = WriteReport()
        table = self.decision_table()
        wanted = set(self.config.event_types)
        for event in events:
            if wanted and event.get("type") not in wanted:
                continue
            event_id = str(event["id"])
            body = json.dumps(event, separators=(",", ":"), default=str).encode()
            try:
                self.client.call(
                    "POST",
                    self.config.path,
                    content=body,
                    headers={
                        "Content-Type": "application/cloudevents+json",
                        "Idempotency-Key": event_id,
                    },
                )
            except HttpStatusError as exc:
                if table.decide(exc).action is not Action.DEAD_LETTER:
                    raise
                report.rejected.append(
                    RecordError(event_id, f"HTTP {exc.status}: {exc.body[:200]!r}", raw=body)
                )
                continue
            report.written.append(event_id)
        return report
