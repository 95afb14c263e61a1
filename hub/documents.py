"""Documents to events: every message of a document through the specs that read its kind.

A document format (:mod:`connectors.formats.registry`) streams a document's messages; each
message is mapped by every spec whose ``source`` is that (format, message) — a POSLog return
gives stock events and a return authorisation — or by the one spec ``--mapping`` names. A
spec with ``split`` gives one event per item (``map_all``). The outcome of one message is its
events and its failures, one failure per spec that could not map it, so one bad message (or
one bad spec for it) dead-letters alone.

Event ids are ``make_event_id(document sha256, message key, spec ref, item index)``: the same
document processed twice (after a crash, or dropped again) gives the same ids, which consumers
drop as duplicates. Nothing is dropped silently: a message no spec reads is refused by name
(``unsupported message X12 856 (Ship Notice/Manifest)``, a failure like any other), unless
:mod:`hub.message_types` lists its type as carrying no business event (a functional
acknowledgment, a till sign-on): then it is *ignored*, and counted. A message its specs read
that gives no event at all (an inventory report without lines) is a failure too.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pydantic

from canonical import event_model, make_event_id
from canonical.events.base import EventData
from connectors.errors import RecordError
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord
from hub.message_types import MessageType, UnsupportedMessage, message_type
from hub.partners import PartnerDirectory, PartnerMatch
from mappings import CompiledMapping, MappingError, SpecRegistry
from mappings.partner_profile import NO_PROFILE, PartnerProfile, active_profile

__all__ = [
    "DocumentMapper",
    "MappedEvent",
    "MessageFailure",
    "MessageOutcome",
    "letter_context",
    "parse_one_message",
]


@dataclass(frozen=True, slots=True)
class MappedEvent:
    """One validated event of a message, with its deterministic id."""

    mapping: CompiledMapping
    event_id: str
    data: EventData


@dataclass(frozen=True, slots=True)
class MessageFailure:
    """Why one message could not give its events: the stage, the spec (if any), the error."""

    stage: str
    mapping: CompiledMapping | None
    error: Exception


@dataclass(slots=True)
class MessageOutcome:
    """What one message produced."""

    record: RawRecord | RecordError
    events: list[MappedEvent] = field(default_factory=list)
    failures: list[MessageFailure] = field(default_factory=list)
    #: the type of a message ignored as carrying no business event (a 997, a till sign-on)
    ignored: MessageType | None = None
    #: the trading partner whose profile the specs mapped this message with, and why
    partner: PartnerMatch | None = None

    @property
    def message(self) -> str:
        """The message kind (``sale``, ``ORDERS05``, ``orders/create``…)."""
        return str(self.record.context.get("message") or "unknown")

    @property
    def where(self) -> str:
        """The human location of the message (file, identity, element/segment, line)."""
        where = self.record.context.get("where")
        return str(where) if where else self.record.location


def letter_context(
    record: RawRecord | RecordError, fmt: DocumentFormat, doc_id: str
) -> dict[str, Any]:
    """What a dead letter of this message keeps so replay can parse and map it again."""
    context = {k: v for k, v in record.context.items() if _plain(v)}
    context["format"] = fmt.name
    context["document"] = doc_id
    context["line"] = record.line or 0
    return context


def _plain(value: Any) -> bool:
    """Whether ``value`` can go into the dead letter's JSON context (an X12 separator table
    can; a parsed tree or an exception cannot)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


class DocumentMapper:
    """Maps the messages of documents with the specs of a registry (or one forced spec)."""

    def __init__(
        self,
        registry: SpecRegistry,
        *,
        only: CompiledMapping | None = None,
        partners: PartnerDirectory | None = None,
        profile: PartnerProfile | None = None,
    ) -> None:
        self.registry = registry
        self.only = only
        #: the configured trading partners; each message is mapped with its sender's profile
        self.partners = partners or PartnerDirectory()
        #: one profile for every message whatever its sender (a golden case's ``.partner.yaml``)
        self.profile = profile
        self._by_message: dict[tuple[str, str], list[CompiledMapping]] = {}

    def mappings_for(self, fmt: str, message: str) -> list[CompiledMapping]:
        """The specs that read ``message`` of ``fmt`` (the forced one, whatever the kind)."""
        if self.only is not None:
            return [self.only]
        key = (fmt, message)
        found = self._by_message.get(key)
        if found is None:
            found = self.registry.for_source(fmt, message)
            for mapping in found:  # fail fast on a spec whose target is unknown
                event_model(mapping.target_type, mapping.target_version)
            self._by_message[key] = found
        return found

    def translate(
        self, record: RawRecord | RecordError, fmt: DocumentFormat, doc_id: str
    ) -> MessageOutcome:
        """Map and validate one message with every spec that reads it."""
        outcome = MessageOutcome(record)
        if isinstance(record, RecordError):
            outcome.failures.append(MessageFailure("decode", None, record))
            return outcome
        mappings = self.mappings_for(fmt.name, outcome.message)
        if not mappings:
            kind = message_type(fmt.name, outcome.message)
            if kind.ignored_because is not None:
                outcome.ignored = kind
            else:
                outcome.failures.append(
                    MessageFailure("unsupported", None, UnsupportedMessage(kind))
                )
            return outcome
        key = str(record.context.get("key") or record.line)
        profile: PartnerProfile = self.profile or NO_PROFILE
        if self.profile is None and self.partners:
            outcome.partner = self.partners.match(fmt.name, record)
            profile = outcome.partner.profile or NO_PROFILE
        # the one place a profile reaches the spec functions (mappings.partner_profile)
        with active_profile(profile):
            for mapping in mappings:
                self._map_one(mapping, record, doc_id, key, outcome, profile=profile)
        if not outcome.events and not outcome.failures:
            # a split over nothing (an INVRPT without LIN): counted as a failure, never lost
            only = mappings[0] if len(mappings) == 1 else None
            names = ", ".join(f"{m.id}@{m.version}" for m in mappings)
            outcome.failures.append(
                MessageFailure(
                    "mapping",
                    only,
                    MappingError(
                        spec_id=mappings[0].id,
                        spec_version=mappings[0].version,
                        field=None,
                        source_path=None,
                        value=None,
                        reason=f"the message gave no event: nothing to map for {names}",
                    ),
                )
            )
        return outcome

    @staticmethod
    def _map_one(
        mapping: CompiledMapping,
        record: RawRecord,
        doc_id: str,
        key: str,
        outcome: MessageOutcome,
        *,
        profile: PartnerProfile = NO_PROFILE,
    ) -> None:
        model = event_model(mapping.target_type, mapping.target_version)
        ref = f"{mapping.id}@{mapping.version}"
        try:
            items = mapping.map_all(record.fields)
        except MappingError as exc:
            outcome.failures.append(MessageFailure("mapping", mapping, exc))
            return
        events: list[MappedEvent] = []
        for index, data in enumerate(items):
            try:
                event = model.model_validate(data)
            except pydantic.ValidationError as exc:
                # all or nothing per (message, spec): a replay re-maps the whole message
                outcome.failures.append(MessageFailure("validation", mapping, exc))
                return
            if profile.unit_price_required and (missing := _unpriced_line(event)) is not None:
                outcome.failures.append(
                    MessageFailure("mapping", mapping, _price_expected(mapping, profile, missing))
                )
                return
            events.append(MappedEvent(mapping, make_event_id(doc_id, key, ref, str(index)), event))
        outcome.events.extend(events)

    def translate_all(
        self, fmt: DocumentFormat, fh: BinaryIO, source: str, doc_id: str
    ) -> Iterator[MessageOutcome]:
        """Every message of the document in ``fh``, translated."""
        for record in fmt.messages(fh, source):
            yield self.translate(record, fmt, doc_id)


def _unpriced_line(event: EventData) -> int | None:
    """The position of the first order line without a unit price, if the event has lines."""
    for position, line in enumerate(getattr(event, "lines", None) or ()):
        if hasattr(line, "unit_price") and line.unit_price is None:
            return position
    return None


def _price_expected(mapping: CompiledMapping, profile: PartnerProfile, at: int) -> MappingError:
    return MappingError(
        spec_id=mapping.id,
        spec_version=mapping.version,
        field=f"lines[{at}].unit_price",
        source_path=None,
        value=None,
        reason=(
            f"partner {profile.name!r} sends priced orders (unit_price_required in "
            "crossdock.yaml), and this line has no unit price"
        ),
    )


def parse_one_message(
    fmt: DocumentFormat, data: bytes, context: Mapping[str, Any], *, source: str, line: int
) -> RawRecord:
    """Parse one message's bytes again, for replay; :class:`RecordError` when they do not.

    The format's replay hook when it has one — ``parse_record(data, context, *, source,
    line)`` as :class:`~connectors.formats.csv.CsvFormat`, EDIFACT, IDoc, POSLog and Shopify
    name it, or X12's ``parse_message(data, context, source)`` — with the context the message
    was read with (its envelope); else the format's ``messages`` reader over the bytes, which
    must give exactly one message.
    """
    parse_record = getattr(fmt, "parse_record", None)
    parse_message = getattr(fmt, "parse_message", None)
    if parse_record is not None:
        result = parse_record(data, context, source=source, line=line)
    elif parse_message is not None:
        result = parse_message(data, context, source)
    else:
        found = list(fmt.messages(io.BytesIO(data), source))
        if len(found) != 1:
            raise RecordError(
                f"{source}:line {line}",
                f"expected the bytes of exactly one {fmt.name} message, found {len(found)}",
                raw=data,
                line=line,
            )
        result = found[0]
    if isinstance(result, RecordError):
        raise result
    assert isinstance(result, RawRecord)
    return result
