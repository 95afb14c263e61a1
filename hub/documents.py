"""Documents to events: every message of a document through the specs that read its kind.

A document format (:mod:`connectors.formats.document_formats`) streams a document's messages; each
message is mapped by every spec whose ``source`` is that (format, message) — a POSLog return
gives stock events and a return authorisation — or by the one spec ``--mapping`` names. A
spec with ``split`` gives one event per item (``map_all``). The outcome of one message is its
events and its failures, one failure per spec that could not map it, so one bad message (or
one bad spec for it) dead-letters alone.

Each message goes through the one translate step (:func:`connectors.sdk.translate.translate`)
with origin (document sha256, message key) and numbered events, so its ids follow the one
event-id rule written there: the same document processed twice (after a crash, or dropped
again) gives the same ids, which consumers drop as duplicates. Nothing is dropped silently:
a message no spec reads is refused by name
(``unsupported message X12 856 (Ship Notice/Manifest)``, a failure like any other), unless
:mod:`hub.message_types` lists its type as carrying no business event (a functional
acknowledgment, a till sign-on): then it is *ignored*, and counted. A message its specs read
that gives no event at all (an inventory report without lines) is a failure too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from canonical import EventData, event_model
from connectors.errors import RecordError, UnknownFormatError
from connectors.formats import document_formats
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord
from connectors.sdk.deadletter import plain_context
from connectors.sdk.translate import Failure, Translation, translate
from hub.message_types import MessageType, UnsupportedMessage, message_type
from hub.partners import PartnerDirectory, PartnerMatch
from mappings import CompiledMapping, MappingError, SpecRegistry
from mappings.partner_profile import NO_PROFILE, PartnerProfile, active_profile

if TYPE_CHECKING:
    from hub.config import ConnectorSettings

__all__ = [
    "DocumentMapper",
    "MessageOutcome",
    "inbox_document_format",
    "letter_context",
]


@dataclass(slots=True)
class MessageOutcome(Translation):
    """What one message produced: a :class:`Translation`, or why it was ignored."""

    #: the type of a message ignored as carrying no business event (a 997, a till sign-on)
    ignored: MessageType | None = None
    #: the trading partner whose profile the specs mapped this message with, and why
    partner: PartnerMatch | None = None

    @property
    def message(self) -> str:
        """The message kind (``sale``, ``ORDERS05``, ``orders/create``…)."""
        return str(self.record.context.get("message") or "unknown")

    @property
    def warnings(self) -> list[str]:
        """What the reader tolerated in a message it still read (an EDIFACT interchange that
        ends without UNZ, a message sent without UNB): said with the message, never lost."""
        found = self.record.context.get("warnings") if isinstance(self.record, RawRecord) else None
        return [str(text) for text in found] if isinstance(found, list) else []

    @property
    def where(self) -> str:
        """The human location of the message (file, identity, element/segment, line)."""
        where = self.record.context.get("where")
        return str(where) if where else self.record.location


def letter_context(
    record: RawRecord | RecordError, fmt: DocumentFormat, doc_id: str
) -> dict[str, Any]:
    """What a dead letter of this message keeps so replay can parse and map it again."""
    context = plain_context(record.context)
    context["format"] = fmt.name
    context["document"] = doc_id
    context["line"] = record.line or 0
    return context


def inbox_document_format(config: ConnectorSettings, path: Path) -> DocumentFormat | None:
    """The document format an inbox file is read with under ``config``; ``None`` for CSV.

    Raises :class:`UnknownFormatError` when the connector names a document format and the
    content is not one of its documents.
    """
    if config.format == document_formats.FALLBACK:
        return None  # always the connector's CSV, whatever the content
    with path.open("rb") as fh:
        head = document_formats.read_head(fh)
    if config.format == "auto":
        # CSV when no document format claims it; an unknown document is refused
        fmt = document_formats.detect(head, str(path))
        return None if fmt.name == document_formats.FALLBACK else fmt
    fmt = document_formats.get(config.format)
    if not fmt.sniff(head):
        raise UnknownFormatError(
            f"{path}:line 1",
            f"connector {config.name!r} reads {config.format} documents; this content is not "
            f"one (it starts with {head[:40].decode('utf-8', 'replace')!r})",
            raw=head,
        )
    return fmt


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
        key = str(record.context.get("key") or record.line)
        outcome = MessageOutcome(record, (doc_id, key))
        if isinstance(record, RecordError):
            outcome.failures.append(Failure("decode", None, record))
            return outcome
        mappings = self.mappings_for(fmt.name, outcome.message)
        if not mappings:
            kind = message_type(fmt.name, outcome.message)
            if kind.ignored_because is not None:
                outcome.ignored = kind
            else:
                outcome.failures.append(Failure("unsupported", None, UnsupportedMessage(kind)))
            return outcome
        profile: PartnerProfile = self.profile or NO_PROFILE
        if self.profile is None and self.partners:
            outcome.partner = self.partners.match(fmt.name, record)
            profile = outcome.partner.profile or NO_PROFILE
        # the one place a profile reaches the spec functions (mappings.partner_profile)
        with active_profile(profile):
            found = translate(record, mappings, origin=outcome.origin, numbered=True)
        outcome.events, outcome.failures = found.events, found.failures
        if profile.unit_price_required:
            _require_prices(outcome, profile)
        if not outcome.events and not outcome.failures:
            # a split over nothing (an INVRPT without LIN): counted as a failure, never lost
            only = mappings[0] if len(mappings) == 1 else None
            names = ", ".join(f"{m.id}@{m.version}" for m in mappings)
            outcome.failures.append(
                Failure(
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

    def translate_all(
        self, fmt: DocumentFormat, fh: BinaryIO, source: str, doc_id: str
    ) -> Iterator[MessageOutcome]:
        """Every message of the document in ``fh``, translated."""
        for record in fmt.messages(fh, source):
            yield self.translate(record, fmt, doc_id)


def _require_prices(outcome: MessageOutcome, profile: PartnerProfile) -> None:
    """A partner that sends priced orders: a spec's events with an unpriced line fail whole
    (all or nothing per message and spec, as a replay maps the whole message again)."""
    unpriced: dict[str, tuple[CompiledMapping, int]] = {}
    for event in outcome.events:
        missing = _unpriced_line(event.data)
        if missing is not None:
            unpriced.setdefault(event.mapping.ref, (event.mapping, missing))
    if unpriced:
        outcome.events = [e for e in outcome.events if e.mapping.ref not in unpriced]
        outcome.failures += [
            Failure("mapping", m, _price_expected(m, profile, at)) for m, at in unpriced.values()
        ]


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
