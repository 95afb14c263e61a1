"""CloudEvents batch messages: many events in one bus message, one event per unit of failure.

A bulk source does not pay a broker round trip per event: events are serialised once into a
JSON array (``application/cloudevents-batch+json``, the CloudEvents JSON batch format) and
published as one persistent message. Dedup and dead letters stay per event, by event id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel

__all__ = [
    "BATCH_CONTENT_TYPE",
    "SINGLE_CONTENT_TYPE",
    "EventBatch",
    "decode_events",
    "event_count",
]

BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
SINGLE_CONTENT_TYPE = "application/cloudevents+json"


class EventBatch:
    """Collects events of one type and version and renders them as one batch body.

    The envelope attributes shared by the batch are encoded once; each event adds only its id,
    subject and data. The output is byte-for-byte what ``Envelope.model_dump_json`` would give
    for each event, joined into a JSON array (a test holds the two together).
    """

    __slots__ = ("_parts", "_prefix", "_suffix")

    def __init__(
        self,
        *,
        source: str,
        event_type: str,
        version: int,
        dataschema: str,
        time: datetime,
        correlation_id: str | None = None,
        traceparent: str | None = None,
        tracestate: str | None = None,
    ) -> None:
        shared: dict[str, Any] = {
            "source": source,
            "type": event_type,
            # orjson writes it as isoformat() does, UTC as "Z" (a tenth of isoformat's cost)
            "time": time,
            "datacontenttype": "application/json",
            "dataschema": dataschema,
        }
        # in the envelope's field order, so each event is byte for byte its envelope's JSON
        if correlation_id is not None:
            shared["correlationid"] = correlation_id
        shared["dataversion"] = version
        # the span that made the batch, shared by its events: the trace costs nothing per event
        if traceparent is not None:
            shared["traceparent"] = traceparent
            if tracestate:
                shared["tracestate"] = tracestate
        # '{"specversion":"1.0","id":"<id>",' + shared attributes + ',"data":<data>}'
        # orjson: non-ASCII text as UTF-8, as the events' own JSON and model_dump_json write it
        # (json.dumps escaped it), and a tenth of json.dumps's cost, paid once per batch
        head = orjson.dumps(shared, option=orjson.OPT_UTC_Z).decode()[1:-1]
        self._prefix = b'{"specversion":"1.0","id":"'
        self._suffix = f'",{head},"data":'.encode()
        self._parts: list[bytes] = []

    def add(self, event_id: str, data: BaseModel) -> None:
        """Append one event; ``data`` is the validated event model."""
        self._parts.append(self.encode(event_id, data))

    def encode(self, event_id: str, data: BaseModel) -> bytes:
        """One event of this batch as CloudEvent JSON, for callers that collect the parts."""
        # one join: chained + would copy the growing event once per piece
        return b"".join(
            (
                self._prefix,
                event_id.encode(),
                self._suffix,
                data.__pydantic_serializer__.to_json(data, exclude_none=True),
                b"}",
            )
        )

    def encoder(self, model: type[BaseModel]) -> Callable[[str, BaseModel], bytes]:
        """:meth:`encode` for events whose data are all of exactly ``model``, for a loop.

        The same bytes; the batch's parts and the model's serializer are looked up once
        instead of once an event (about 1,000 instructions an event on the bulk path).
        """
        prefix, suffix = self._prefix, self._suffix
        to_json = model.__pydantic_serializer__.to_json
        join = b"".join

        def encode(event_id: str, data: BaseModel) -> bytes:
            return join((prefix, event_id.encode(), suffix, to_json(data, exclude_none=True), b"}"))

        return encode

    @staticmethod
    def join(parts: list[bytes]) -> bytes:
        """Events made by :meth:`encode` as one batch body (a JSON array)."""
        return b"[" + b",".join(parts) + b"]"

    @staticmethod
    def lines(parts: list[bytes]) -> bytes:
        """Events made by :meth:`encode` as JSON lines, each ending in a line break (their JSON
        holds none: orjson escapes it in text and writes no indentation)."""
        return b"\n".join(parts) + b"\n"

    def __len__(self) -> int:
        return len(self._parts)

    def drain(self) -> list[bytes]:
        """Take the events added so far, each as its own CloudEvent JSON, and start empty."""
        parts, self._parts = self._parts, []
        return parts

    def body(self) -> bytes:
        """The batch as a JSON array."""
        return self.join(self._parts)


def decode_events(body: bytes, content_type: str | None) -> Iterator[dict[str, Any]]:
    """The CloudEvents in a message body, batch or single."""
    doc = json.loads(body)
    if content_type == BATCH_CONTENT_TYPE or isinstance(doc, list):
        yield from doc
    else:
        yield doc


#: a CloudEvent's one required ``specversion`` key, as JSON writes it
_SPECVERSION_KEY = b'"specversion":'


def event_count(body: bytes, content_type: str | None) -> int:
    """Events in one bus message of the hub's (a batch counts each, anything else is one),
    without decoding it.

    Each CloudEvent has one ``specversion`` attribute, and the canonical events' data has no
    field of that name (``tests/hub/test_batch.py`` checks the schemas), so in a batch the
    key occurs once per event: a string holding it has its quotes escaped. Decoding the batch
    to count it cost the reading process more than publishing it (``json.loads``, 3 ms for a
    1,000-event batch against 0.15 ms for this scan).
    """
    if content_type == BATCH_CONTENT_TYPE:
        return body.count(_SPECVERSION_KEY)
    return 1
