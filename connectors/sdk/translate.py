"""The translate step: one record → its events with their ids, or what to dead-letter.

Every path that turns a record into events calls :func:`translate` (or, for CSV's chunked
bulk path, shares its id rule through :func:`event_ids`): the inbox's file source, the SDK's
sources, ``crossdock translate``, replay, edit-and-replay, dry runs and acknowledgements. So a
record is mapped, validated and given its id the same way whichever way it came in.

**The event-id rule.** An event's id is the UUIDv5 (:func:`canonical.make_event_id`) of::

    origin parts…, mapping id@version [, item]

- *origin*: the parts that name the record in its source, stable however often it is read —
  for a CSV row (inbox or SFTP) the file's sha256 and the row's line; for a document message
  (X12, EDIFACT, IDoc, POSLog, Shopify JSON from a file) the file's sha256 and the message's
  key (from its control numbers); for a REST object the API's base URL, the stream and the
  object's id; for Shopify ``shopify``, the shop, the topic and the object's id; for a SOAP ERP
  receipt ``erp-goods-receipt`` and the receipt id;
- *mapping*: the spec that made the event (a mapping written in code names itself the same
  way, e.g. ``shopify.code@1``);
- *item*: the event's index among those one record gives (0 for the first), present when the
  record's events are numbered: every document message (a spec may split a message into
  several events), and any record whose spec splits it.

The same record through the same mapping version gets the same id — a re-read file, a retried
page, a replay — so consumers drop the copy; a newer mapping version gives a new id, on
purpose (its output may differ). A dead letter keeps the record's origin in its context, so a
replay through the version that failed publishes under the id the first run would have used,
and a replay through a newer version under the id a first run through that version would have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pydantic

from canonical import Envelope, EventData, EventIdSeries, event_model, make_event_id, wrap_event
from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.sdk import tracing
from mappings import CompiledMapping

__all__ = [
    "Failure",
    "TranslatedEvent",
    "Translation",
    "control_character",
    "event_id",
    "event_ids",
    "translate",
]


def event_id(origin: Sequence[str], mapping_ref: str, item: int | None = None) -> str:
    """The id of the event of the record named by ``origin`` through ``mapping_ref``.

    ``item`` is the event's index when the record's events are numbered (module docstring).
    """
    if item is None:
        return make_event_id(*origin, mapping_ref)
    return make_event_id(*origin, mapping_ref, str(item))


def event_ids(document: str, mapping_ref: str) -> EventIdSeries:
    """Ids of the rows of one document through one mapping, by line: the bulk path's form.

    ``event_ids(doc, ref)(line) == event_id((doc, line), ref)``; the shared parts are hashed
    once per chunk instead of once per row.
    """
    return EventIdSeries(document, after=(mapping_ref,))


@dataclass(frozen=True, slots=True)
class TranslatedEvent:
    """One validated event of a record, with the mapping that made it and its id."""

    mapping: CompiledMapping
    event_id: str
    data: EventData


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a record gave no events through one mapping (or could not be read at all)."""

    #: ``decode`` (the bytes do not parse), ``mapping`` or ``validation``
    stage: str
    mapping: CompiledMapping | None
    error: Exception
    #: the id the event would have had (unnumbered events only), for the dead letter
    event_id: str | None = None


@dataclass(slots=True)
class Translation:
    """What one record gave: its events, and one failure per mapping that could not map it."""

    record: RawRecord | RecordError
    origin: tuple[str, ...] = ()
    events: list[TranslatedEvent] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: no mapping reads this record (a POS sign-on): nothing to publish, nothing lost
    unread: bool = False

    @property
    def ok(self) -> bool:
        """True when the record gave its events and nothing failed."""
        return not self.failures and not self.unread

    def raise_failure(self) -> None:
        """Raise the first failure's error (for callers that dead-letter by exception)."""
        if self.failures:
            raise self.failures[0].error

    def envelopes(
        self, *, source: str, time: datetime, subject: str | None = None
    ) -> list[Envelope[Any]]:
        """The events as CloudEvents envelopes; the first failure raised, if any."""
        self.raise_failure()
        return [
            wrap_event(e.data, id=e.event_id, source=source, time=time, subject=subject)
            for e in self.events
        ]


#: C0 controls other than TAB, CR and LF: in a mapped text value they are corruption, not text
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_character(data: Any) -> tuple[str, str] | None:
    """(field path, character) of the first C0 control (not TAB, CR, LF) in a mapped value's
    text, walking its dicts and lists; ``None`` when there is none."""
    # every event passes here and almost none has a control character: look without naming
    # paths first (building each value's path cost a Shopify webhook a fifth of its time)
    if not _has_control(data):
        return None
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            found = _CONTROL.search(value)
            if found is not None:
                return path or "(value)", found.group()
        elif isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
    return None


def _has_control(data: Any) -> bool:
    """Whether any text in ``data`` may hold a C0 control: never a wrong no, rarely a wrong
    yes (a control in a key, a text backslash before ``b``, ``f`` or ``u001x``), after which
    :func:`control_character` walks the value itself."""
    # JSON writes every C0 control escaped, so one orjson pass over the event and one search
    # of its bytes replace a Python walk over each of its values
    try:
        # without OPT_NON_STR_KEYS, which cost an order's check a third more: mapped keys are
        # the spec's field names, and a key of another type raises here, for the walk
        text = orjson.dumps(data, default=_no_text)
    except orjson.JSONEncodeError:
        # deeper than orjson writes, an int past 64 bits or a key that is not text: the walk
        # answers
        return _walk_has_control(data)
    return _ESCAPED_CONTROL.search(text) is not None


def _no_text(value: Any) -> None:
    """orjson's stand-in for a value it cannot write (a ``Decimal``): null, as it holds no text."""
    return


#: a C0 control other than TAB, CR, LF as orjson escapes it: \b, \f or \u00XX
_ESCAPED_CONTROL = re.compile(rb"\\(?:[bf]|u00(?:0[0-8be]|0f|1[0-9a-f]))")


def _walk_has_control(data: Any) -> bool:
    """Whether any text in ``data`` (its dicts and lists walked) holds a C0 control."""
    search = _CONTROL.search
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        kind = value.__class__
        # the exact built-in types first: a mapped event is made of them, and an exact type
        # test is cheaper than the isinstance chain that still handles subclasses below
        if kind is str:
            if search(value) is not None:
                return True
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif kind in _NOT_TEXT:
            continue
        elif isinstance(value, str):
            if search(value) is not None:
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False


#: scalar types of mapped values that hold no text
_NOT_TEXT = frozenset({type(None), bool, int, float, Decimal, datetime, date})


def translate(
    record: RawRecord | RecordError,
    mappings: Sequence[CompiledMapping],
    *,
    origin: Sequence[str],
    numbered: bool = False,
) -> Translation:
    """Map and validate ``record`` with each of ``mappings``; never raises for bad data.

    ``origin`` names the record for its event ids; ``numbered`` says its events carry their
    index (document messages). A mapping's events are all or nothing: one invalid item fails
    that mapping for the record, since a replay maps the whole record again.
    """
    out = Translation(record, tuple(origin))
    if isinstance(record, RecordError):
        out.failures.append(Failure("decode", None, record))
        return out
    if not mappings:
        out.unread = True
        return out
    for mapping in mappings:
        _translate_one(out, record, mapping, numbered=numbered or mapping.splits)
    return out


def _translate_one(
    out: Translation, record: RawRecord, mapping: CompiledMapping, *, numbered: bool
) -> None:
    model = event_model(mapping.target_type, mapping.target_version)
    ref = mapping.ref
    would_be = None if numbered else event_id(out.origin, ref)
    if not tracing.enabled():  # one check a record: the stages as they ran before tracing
        items = _map(out, record, mapping, would_be)
        if items is not None:
            _validate(
                out, record, mapping, items, model=model, would_be=would_be, numbered=numbered
            )
        return
    # a span per stage of a record (a document message, a polled record; the CSV bulk path
    # times its chunks' stages instead, hub.chunks)
    attributes = {"crossdock.mapping": ref}
    with tracing.span("crossdock.map", attributes=attributes) as span:
        items = _map(out, record, mapping, would_be)
        span.set("crossdock.failures", int(items is None))
    if items is None:
        return
    with tracing.span("crossdock.validate", attributes=attributes) as span:
        failed = _validate(
            out, record, mapping, items, model=model, would_be=would_be, numbered=numbered
        )
        span.set("crossdock.failures", int(failed))
        span.set("crossdock.events", 0 if failed else len(items))


def _map(
    out: Translation, record: RawRecord, mapping: CompiledMapping, would_be: str | None
) -> Sequence[Any] | None:
    """The mapping's items of ``record``; None when it failed (the failure is in ``out``)."""
    try:
        return mapping.map_all(record.fields)
    except Exception as exc:
        # a spec's function meeting input it never expected fails this record, never the read
        out.failures.append(Failure("mapping", mapping, exc, would_be))
        return None


def _validate(
    out: Translation,
    record: RawRecord,
    mapping: CompiledMapping,
    items: Sequence[Any],
    *,
    model: Any,
    would_be: str | None,
    numbered: bool,
) -> bool:
    """Validate a mapping's items into ``out``'s events, all or none; whether one failed
    (its failure is in ``out``)."""
    ref = mapping.ref
    events: list[TranslatedEvent] = []
    # the model's validator itself, as model_validate calls it (the same instance, the same
    # ValidationError) without that wrapper's Python frame, once per event
    validate = model.__pydantic_validator__.validate_python
    for index, data in enumerate(items):
        control = control_character(data)
        if control is not None:
            where, char = control
            error = RecordError(
                record.location,
                f"control character U+{ord(char):04X} in a text field: control characters are "
                "not text (a binary or corrupted source?)",
                field=where,
                raw=record.data,
                line=record.line,
            )
            out.failures.append(Failure("validation", mapping, error, would_be))
            return True
        try:
            event: EventData = validate(data)
        except pydantic.ValidationError as exc:
            out.failures.append(Failure("validation", mapping, exc, would_be))
            return True
        the_id = event_id(out.origin, ref, index) if numbered else would_be
        assert the_id is not None
        events.append(TranslatedEvent(mapping, the_id, event))
    out.events.extend(events)
    return False
