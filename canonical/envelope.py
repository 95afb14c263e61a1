"""The CloudEvents 1.0 envelope every canonical event travels in (structured JSON mode).

On the wire an event is one JSON object: the CloudEvents attributes and the Crossdock extensions
(``correlationid``, ``causationid``, ``dataversion``) at top level next to ``data``, and the
CloudEvents distributed-tracing extension (``traceparent``, ``tracestate``: the W3C Trace
Context of the span that produced the event, so a consumer continues its trace). Optional
attributes that are None are *omitted*, as CloudEvents requires, while ``None`` values inside
``data`` are kept (``to_json_bytes`` and ``model_dump_json`` do the same).

Naming conventions (documented here because the bus and the registry depend on them):

* ``type`` is the event type without version: ``retail.order.created``;
* the version is the ``dataversion`` extension and is part of ``dataschema``:
  ``urn:crossdock:schema:retail.order.created:1`` (see ``dataschema_uri``);
* the broker routing key is ``retail.order.created.v1`` (see ``routing_key``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from canonical.events.base import EventData
from canonical.timestamps import UtcDatetime

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
"""Content type of one event in CloudEvents structured mode."""

BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
"""Content type of a JSON array of structured-mode events (see ``dump_batch``)."""

_OPTIONAL_ATTRIBUTES = (
    "subject",
    "dataschema",
    "correlationid",
    "causationid",
    "traceparent",
    "tracestate",
)
# CloudEvents: attribute names are lower-case ASCII letters and digits.
_ATTRIBUTE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

_NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# W3C Trace Context: version-traceid-parentid-flags, lower-case hex
_TraceParent = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
]
# comma-separated key=value list-members, printable ASCII (W3C allows 32 members of 256)
_TraceState = Annotated[str, StringConstraints(max_length=8192, pattern=r"^[ -~]*$")]

DataT = TypeVar("DataT")
EventT = TypeVar("EventT", bound=EventData)


def routing_key(event_type: str, version: int) -> str:
    """Return the broker routing key, e.g. ``retail.order.created.v1``."""
    return f"{event_type}.v{version}"


def dataschema_uri(event_type: str, version: int) -> str:
    """Return the schema URI, e.g. ``urn:crossdock:schema:retail.order.created:1``.

    It is also the ``$id`` of the exported JSON Schema, so registry and files agree.
    """
    return f"urn:crossdock:schema:{event_type}:{version}"


class Envelope(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 event carrying ``data``; use ``Envelope[OrderCreatedV1]`` to validate.

    Unknown top-level attributes are kept as CloudEvents extensions (their names must be
    lower-case letters and digits, which also catches ``correlationId``-style typos).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: _NonEmpty
    source: _NonEmpty
    """URI-reference naming the producer, e.g. ``crossdock://connectors/sftp-acme``."""
    type: _NonEmpty
    subject: str | None = None
    time: UtcDatetime
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    correlationid: str | None = None
    causationid: str | None = None
    dataversion: Annotated[int, Field(ge=1)]
    traceparent: _TraceParent | None = None
    """The producing span (CloudEvents distributed-tracing extension, W3C ``traceparent``)."""
    tracestate: _TraceState | None = None
    """Vendor trace state carried with ``traceparent`` (W3C ``tracestate``)."""
    data: DataT

    @model_validator(mode="after")
    def _check_envelope(self) -> Self:
        for name in self.__pydantic_extra__ or ():
            if not name or not _ATTRIBUTE_NAME_CHARS.issuperset(name):
                raise ValueError(
                    f"extension attribute {name!r}: CloudEvents names are lower-case a-z and 0-9"
                )
        data = self.data
        if isinstance(data, EventData) and (
            data.event_type != self.type or data.event_version != self.dataversion
        ):
            raise ValueError(
                f"envelope says {self.type}@{self.dataversion} but data is "
                f"{data.event_type}@{data.event_version}"
            )
        return self

    @model_serializer(mode="wrap")
    def _omit_absent_attributes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        for name in _OPTIONAL_ATTRIBUTES:
            if name in dumped and dumped[name] is None:
                del dumped[name]
        return dumped

    @property
    def routing_key(self) -> str:
        """Broker routing key of this event (``type`` plus ``.v<dataversion>``)."""
        return routing_key(self.type, self.dataversion)

    def to_json_bytes(self) -> bytes:
        """Serialize to CloudEvents structured-mode JSON (UTF-8 bytes)."""
        return self.__pydantic_serializer__.to_json(self)


def wrap_event(
    data: EventT,
    *,
    id: str,
    source: str,
    time: datetime,
    subject: str | None = None,
    correlationid: str | None = None,
    causationid: str | None = None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> Envelope[EventT]:
    """Return an envelope for ``data``, filling ``type``, ``dataversion`` and ``dataschema``."""
    return Envelope(
        id=id,
        source=source,
        type=data.event_type,
        subject=subject,
        time=time,
        dataschema=dataschema_uri(data.event_type, data.event_version),
        correlationid=correlationid,
        causationid=causationid,
        dataversion=data.event_version,
        traceparent=traceparent,
        tracestate=tracestate,
        data=data,
    )


def dump_batch(envelopes: Iterable[Envelope[Any]]) -> bytes:
    """Serialize events as one ``application/cloudevents-batch+json`` array."""
    return b"[" + b",".join(envelope.to_json_bytes() for envelope in envelopes) + b"]"
