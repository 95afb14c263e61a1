"""Replaying dead letters: the one engine behind replay, edit-and-replay, redrive and dry runs.

A letter's bytes (or an operator's corrected ones) are parsed again by the format they came
in — a CSV row with its file's header, one message of a document (X12, EDIFACT, IDoc, POSLog,
Shopify) with its envelope, a JSON object from an API — and go through the one translate step
(:func:`connectors.sdk.translate.translate`) with the letter's mapping, at its version or the
one the operator chose. A letter that failed before any mapping was known (a message that did
not parse) is mapped by the newest specs of its kind.

**Ids.** The events get their ids by the one rule written in :mod:`connectors.sdk.translate`,
from the origin the letter kept: through the version that failed, the id the first run would
have used (the letter's ``event_id``); through a newer version, the id a first run through
that version would have given. (Letters stored before origins were kept fall back to their
``event_id`` for the same version, and to their failure key and line for another.)

**Order.** Events are published in batch messages and confirmed by the broker *before* their
letters are marked replayed (:class:`hub.deadletter.service.DeadLetterService`): a process
killed in between leaves the letters open, and the next replay publishes them again under the
same ids, so consumers keep one. A letter that fails again stays the same letter: open, its
attempts counted, the new reason in place and appended to its history. Every published
message names the letters its events came from (header ``crossdock-replay-of``), so a later
stage failing on one reopens that letter.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from canonical import dataschema_uri, make_event_id
from connectors.errors import RecordError
from connectors.formats import document_formats
from connectors.formats.csv import CsvFormat
from connectors.record import RawRecord
from connectors.sdk.deadletter import DeadLetterStatus, describe_error
from connectors.sdk.translate import Translation, translate
from hub.batch import BATCH_CONTENT_TYPE, EventBatch
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.connector_bus import RoutesPublished
from hub.deadletter.letters import Letter, letters_from, select_letters
from hub.deadletter.model import DeadLetterRow
from hub.deadletter.service import DeadLetterService, ReplayFailure, ReplayMark, history_entry
from hub.documents import DocumentMapper
from hub.errors import DeadLetterError
from hub.mapping_versions import MappingCatalog
from hub.partners import PartnerDirectory
from mappings import CompiledMapping, SpecRegistry

__all__ = [
    "REPLAY_HEADER",
    "BatchOutcome",
    "DryRun",
    "Rendered",
    "ReplayOutcome",
    "Replayer",
    "dry_run",
    "has_reader",
    "parse_letter",
    "render",
    "render_letter",
    "replay_dead_letter",
]

REPLAY_HEADER = "crossdock-replay-of"
"""Message header: the dead-letter keys of the events in the message, in their order."""

_EVENTS_PER_MESSAGE = 100

#: the CSV reading rules of the connector a letter came through
FormatFor = Callable[[str], CsvFormat]


def parse_letter(letter: Letter, csv_format: CsvFormat, payload: bytes | None = None) -> RawRecord:
    """The letter's record parsed again from its bytes (or ``payload``); RecordError if not."""
    data = letter.payload if payload is None else payload
    context = letter.context
    if context.get("format") and context.get("document"):
        fmt = document_formats.get(str(context["format"]))
        record = fmt.parse_record(data, context, source=letter.source, line=_line(letter))
        # the ids of the first run: the original key, even if the bytes were edited
        record.context = {**record.context, "key": context.get("key") or record.context.get("key")}
        return record
    if "csv" in letter.content_type:
        return csv_format.parse_record(data, context, source=letter.source, line=_line(letter))
    if "json" in letter.content_type:
        try:
            fields = json.loads(data)
        except ValueError as exc:
            raise RecordError(letter.location, f"not JSON: {exc}", raw=data) from exc
        if not isinstance(fields, dict):
            raise RecordError(letter.location, "not a JSON object", raw=data)
        return RawRecord(data, letter.source, _line(letter), fields, letter.content_type, context)
    raise RecordError(letter.location, f"no replay reader for {letter.content_type}", raw=data)


def has_reader(letter: Letter) -> bool:
    """Whether a format can parse the letter's bytes alone again (:func:`parse_letter`)."""
    ctype = letter.content_type
    return _is_document(letter) or "csv" in ctype or "json" in ctype


def _line(letter: Letter) -> int:
    """The letter's line: a document message's from its context, a row's from ``…:line N``."""
    if letter.context.get("line"):
        return int(letter.context["line"])
    tail = letter.location.rsplit(":line ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0


def _is_document(letter: Letter) -> bool:
    return bool(letter.context.get("format") and letter.context.get("document"))


def _origin(letter: Letter, record: RawRecord) -> tuple[str, ...]:
    if letter.context.get("origin"):
        return tuple(str(part) for part in letter.context["origin"])
    return ()  # a letter stored before origins were kept: see _legacy_ids


@dataclass(frozen=True, slots=True)
class Rendered:
    """A letter through one mapping (or its kind's specs): the translation, or why not."""

    letter: Letter
    translation: Translation | None
    mapping: CompiledMapping | None
    error: str | None = None
    error_class: str | None = None

    @property
    def ok(self) -> bool:
        """True when the letter would make its events."""
        return self.error is None

    @property
    def event_ids(self) -> list[str]:
        """The ids of the events it would publish."""
        return [e.event_id for e in self.translation.events] if self.translation else []

    @property
    def mapping_refs(self) -> str:
        """``id@version`` of what mapped (or would have mapped) it."""
        if self.translation is not None and self.translation.events:
            return ", ".join(sorted({e.mapping.ref for e in self.translation.events}))
        return self.mapping.ref if self.mapping is not None else "-"

    def as_json(self) -> dict[str, Any]:
        """The outcome as JSON: mapping, event data or error."""
        events = self.translation.events if self.translation else []
        return {
            "mapping": self.mapping_refs,
            "ok": self.ok,
            "event": events[0].data.model_dump(mode="json", exclude_none=True) if events else None,
            "events": [e.data.model_dump(mode="json", exclude_none=True) for e in events],
            "error": self.error,
            "error_class": self.error_class,
        }


def _failed(letter: Letter, mapping: CompiledMapping | None, exc: Exception) -> Rendered:
    cls = f"{type(exc).__module__}.{type(exc).__qualname__}"
    return Rendered(letter, None, mapping, describe_error(exc), cls)


def render(
    letter: Letter,
    mapping: CompiledMapping | None,
    csv_format: CsvFormat,
    payload: bytes | None = None,
    *,
    kind: SpecRegistry | None = None,
    partners: PartnerDirectory | None = None,
) -> Rendered:
    """Parse ``letter`` (or ``payload``) and translate it through ``mapping``; nothing is written.

    A document message goes through :class:`hub.documents.DocumentMapper` as on its first run:
    with its sender's partner profile (``partners``) and, when the letter names no mapping (it
    failed before one was known), through the specs of ``kind`` that read its message.
    """
    try:
        record = parse_letter(letter, csv_format, payload)
    except RecordError as exc:
        return _failed(letter, mapping, exc)
    if _is_document(letter):
        fmt = document_formats.get(str(letter.context["format"]))
        mapper = DocumentMapper(kind or SpecRegistry([]), only=mapping, partners=partners)
        outcome = mapper.translate(record, fmt, str(letter.context["document"]))
        found: Translation = outcome
        if outcome.ignored is not None:
            reason = f"{fmt.name} message {record.context.get('message')!r} is ignored"
            return _failed(letter, mapping, DeadLetterError(reason))
    elif mapping is None:
        return _failed(letter, None, DeadLetterError("the letter names no mapping"))
    else:
        origin = _origin(letter, record)
        found = translate(record, [mapping], origin=origin or ("-",))
        if not origin:
            found = _legacy_ids(letter, found)
    if found.failures:
        first = found.failures[0]
        return _failed(letter, first.mapping or mapping, first.error)
    return Rendered(letter, found, mapping)


def _legacy_ids(letter: Letter, found: Translation) -> Translation:
    """Ids for a letter stored before origins were kept: its own id through the version that
    failed, else its failure key and line (what such letters were replayed under)."""
    for index, event in enumerate(found.events):
        m = event.mapping
        same = letter.event_id and letter.mapping_version == m.version and index == 0
        the_id = letter.event_id if same else make_event_id(letter.key, str(_line(letter)), m.ref)
        assert the_id is not None
        found.events[index] = type(event)(m, the_id, event.data)
    return found


def render_letter(
    letter: Letter,
    catalog: MappingCatalog,
    format_for: FormatFor,
    mapping_version: int | None = None,
    payload: bytes | None = None,
    *,
    partners: PartnerDirectory | None = None,
) -> Rendered:
    """``letter`` through its mapping at ``mapping_version`` (default: the newest version);
    ``KeyError`` when the catalog has no such version."""
    mapping = None
    if letter.mapping_id is not None:
        mapping = catalog.get(letter.mapping_id, mapping_version)
    elif mapping_version is not None:
        raise KeyError("the letter names no mapping to choose a version of")
    fmt = format_for(letter.connector)
    # the newest specs of every kind only for a letter that names no mapping: building that
    # registry per letter cost a redrive most of its time
    kind = catalog.newest() if mapping is None else None
    return render(letter, mapping, fmt, payload, kind=kind, partners=partners)


def _lines(rendered: Rendered) -> list[str]:
    body: Any = rendered.as_json()["events"] if rendered.ok else {"error": rendered.error}
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    return json.dumps(body, indent=2, sort_keys=True, default=str).splitlines()


@dataclass(frozen=True, slots=True)
class DryRun:
    """What replaying a letter would do, in the one shape the API, the page and the CLI show.

    The verdict comes first (``summary``: would publish, or would fail and why); the diff
    against the letter's last attempt only says what changed. An empty diff is never shown
    alone: it is said as "the same outcome as the last attempt", next to the verdict, so a
    replay that would fail again cannot read as "no difference" on one screen and as a failure
    on another.
    """

    current: Rendered
    proposed: Rendered
    edited: bool

    @property
    def would_replay(self) -> bool:
        """True when the replay would publish its events."""
        return self.proposed.ok

    @property
    def summary(self) -> str:
        """The verdict, one sentence."""
        through = self.proposed.mapping_refs + (" with the edited bytes" if self.edited else "")
        if self.proposed.ok:
            ids = self.proposed.event_ids
            events = f"event {ids[0]}" if len(ids) == 1 else f"{len(ids)} events"
            return f"Would publish {events} through {through}."
        return f"Would fail through {through}: {self.proposed.error}"

    @property
    def diff(self) -> str:
        """A unified diff of the letter's last attempt (``-``) against this one (``+``)."""
        lines = difflib.unified_diff(
            _lines(self.current),
            _lines(self.proposed),
            fromfile=f"last attempt ({self.current.mapping_refs})",
            tofile=self.proposed.mapping_refs + (" (edited bytes)" if self.edited else ""),
            lineterm="",
        )
        return "\n".join(lines)

    @property
    def change(self) -> str:
        """What the diff says, in words (an empty diff is the same outcome, good or bad)."""
        if self.diff:
            return "Changes from the last attempt:"
        verb = "publishes the same events" if self.proposed.ok else "fails the same way"
        return f"Same outcome as the last attempt: it {verb}."

    def report(self) -> str:
        """The whole result as text: verdict, then what changed (the CLI prints this)."""
        return "\n".join(part for part in (self.summary, self.change, self.diff) if part)

    def as_json(self) -> dict[str, Any]:
        """The API's body: the verdict and its words, both outcomes, the diff."""
        ids = self.proposed.event_ids
        return {
            "letter_id": self.proposed.letter.id,
            "would_replay": self.would_replay,
            "verdict": "would_publish" if self.would_replay else "would_fail",
            "summary": self.summary,
            "change": self.change,
            "diff": self.diff,
            "report": self.report(),
            "current": self.current.as_json(),
            "proposed": self.proposed.as_json(),
            "event_id": ids[0] if ids else None,
            "event_ids": ids,
        }


def dry_run(before: Rendered, after: Rendered, *, edited: bool) -> DryRun:
    """What replaying would produce (``after``) against the letter's last attempt (``before``)."""
    return DryRun(before, after, edited)


@dataclass
class BatchOutcome:
    """What a replay did: letters replayed (with their first event id), failed again, skipped."""

    replayed: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Counts and per-letter results."""
        return {
            "replayed": len(self.replayed),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "events": {str(k): v for k, v in self.replayed.items()},
            "failures": {str(k): v for k, v in self.failed.items()},
            "skips": {str(k): v for k, v in self.skipped.items()},
        }

    def add(self, other: BatchOutcome) -> None:
        """Count ``other``'s letters in this outcome."""
        self.replayed.update(other.replayed)
        self.failed.update(other.failed)
        self.skipped.update(other.skipped)


@dataclass
class Replayer:
    """Replays letters through their mapping (or a chosen version) on one publisher."""

    engine: Engine
    publisher: ConfirmedPublisher
    catalog: MappingCatalog
    format_for: FormatFor
    #: called after the batch is confirmed and before it is marked (tests kill a run here)
    before_mark: Callable[[Sequence[int]], None] | None = None
    #: the trading partners: a document message replays with its sender's profile
    partners: PartnerDirectory | None = None
    #: ``crossdock run``'s in-process routing (its console replays): what the broker confirmed
    #: is routed before the letters are marked, as the hub's own events are
    routing: RoutesPublished | None = None

    def load(self, ids: Sequence[int]) -> list[Letter]:
        """The letters with ``ids``, in id order."""
        with self.engine.connect() as conn:
            stmt = select_letters().where(DeadLetterRow.id.in_(ids)).order_by(DeadLetterRow.id)
            return letters_from(conn, stmt)

    def render(
        self, letter: Letter, mapping_version: int | None = None, payload: bytes | None = None
    ) -> Rendered:
        """``letter`` through its mapping at ``mapping_version`` (see :func:`render_letter`)."""
        return render_letter(
            letter, self.catalog, self.format_for, mapping_version, payload, partners=self.partners
        )

    def replay(
        self,
        letters: Sequence[Letter],
        *,
        actor: str,
        mapping_version: int | None = None,
        payloads: Mapping[int, bytes] | None = None,
        via: str = "replay",
    ) -> BatchOutcome:
        """Replay open ``letters``; ``payloads`` replaces some letters' bytes (edit-and-replay)."""
        payloads = payloads or {}
        outcome = BatchOutcome()
        good: list[Rendered] = []
        bad: list[Rendered] = []
        for letter in letters:
            if letter.status != DeadLetterStatus.OPEN.value:
                outcome.skipped[letter.id] = f"is {letter.status}, not open"
                continue
            if letter.mapping_id is None and not _is_document(letter):
                outcome.skipped[letter.id] = "names no mapping"
                continue
            if not has_reader(letter):
                # left as it is rather than failed again by the wrong reader
                outcome.skipped[letter.id] = f"no replay reader for {letter.content_type}"
                continue
            try:
                rendered = self.render(letter, mapping_version, payloads.get(letter.id))
            except KeyError as exc:
                outcome.skipped[letter.id] = str(exc.args[0])
                continue
            (good if rendered.ok else bad).append(rendered)
        self._publish(good)
        if self.before_mark is not None:
            self.before_mark([r.letter.id for r in good])
        now = datetime.now(UTC)

        def edited(letter: Letter) -> dict[str, Any]:
            body = payloads.get(letter.id)
            return {
                "edited": body is not None,
                "replayed_payload": body.decode("utf-8", "replace") if body is not None else None,
            }

        marks = [
            ReplayMark(
                r.letter.id,
                [
                    *r.letter.history,
                    history_entry(
                        via,
                        actor,
                        now,
                        event_id=r.event_ids[0],
                        event_ids=r.event_ids if len(r.event_ids) > 1 else None,
                        mapping=r.mapping_refs,
                        **edited(r.letter),
                    ),
                ],
            )
            for r in good
        ]
        fails = [
            ReplayFailure(
                r.letter.id,
                r.error or "replay failed",
                [
                    *r.letter.history,
                    history_entry(
                        "replay_failed",
                        actor,
                        now,
                        reason=r.error,
                        error_class=r.error_class,
                        mapping=r.mapping_refs,
                        edited=r.letter.id in payloads,
                    ),
                ],
            )
            for r in bad
        ]
        with self.engine.begin() as conn:
            DeadLetterService.mark_replayed(conn, marks)
            DeadLetterService.record_replay_failures(conn, fails)
        outcome.replayed.update({r.letter.id: r.event_ids[0] for r in good})
        outcome.failed.update({r.letter.id: r.error or "" for r in bad})
        return outcome

    def _publish(self, good: Sequence[Rendered]) -> None:
        """Publish the events in batch messages; return when all are confirmed."""
        groups: dict[tuple[str, int, str, str | None], list[tuple[Letter, Any]]] = {}
        for r in good:
            assert r.translation is not None
            for event in r.translation.events:
                m, letter = event.mapping, r.letter
                key = (m.target_type, m.target_version, letter.source, letter.correlation_id)
                groups.setdefault(key, []).append((letter, event))
        now = datetime.now(UTC)
        sent: list[tuple[str, bytes]] = []
        for (etype, version, source, correlation), members in groups.items():
            for start in range(0, len(members), _EVENTS_PER_MESSAGE):
                chunk = members[start : start + _EVENTS_PER_MESSAGE]
                batch = EventBatch(
                    source=source,
                    event_type=etype,
                    version=version,
                    dataschema=dataschema_uri(etype, version),
                    time=now,
                    correlation_id=correlation,
                )
                for _, event in chunk:
                    batch.add(event.event_id, event.data)
                body, topic = batch.body(), routing_key(etype, version)
                sent.append((topic, body))
                self.publisher.publish(
                    body,
                    routing_key=topic,
                    content_type=BATCH_CONTENT_TYPE,
                    headers={REPLAY_HEADER: json.dumps([letter.key for letter, _ in chunk])},
                )
        if groups:
            self.publisher.flush()
        if sent and self.routing is not None:
            # an outage raises: the letters stay open and a second replay routes them (claims
            # by event id make a routed event's second routing a no-op)
            self.routing.route_messages(sent)


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """The result of replaying one letter."""

    letter_id: int
    ok: bool
    event_id: str | None
    reason: str | None = None


def replay_dead_letter(
    letter_id: int,
    *,
    engine: Engine,
    publisher: ConfirmedPublisher,
    registry: SpecRegistry,
    fmt: CsvFormat,
    actor: str,
    payload: bytes | None = None,
    partners: PartnerDirectory | None = None,
) -> ReplayOutcome:
    """Replay one open letter through ``registry``'s version of its mapping (the hub's own),
    a document message with its sender's partner profile (``partners``) as on its first run.

    :class:`DeadLetterError` when there is no such letter or it is not open.
    """
    catalog = MappingCatalog(registry)
    replayer = Replayer(engine, publisher, catalog, lambda _c: fmt, partners=partners)
    found = replayer.load([letter_id])
    if not found:
        raise DeadLetterError(f"no dead letter with id {letter_id}")
    (letter,) = found
    if letter.status != DeadLetterStatus.OPEN.value:
        raise DeadLetterError(f"dead letter {letter_id} is {letter.status}: only open ones replay")
    done = replayer.replay(
        [letter], actor=actor, payloads={letter_id: payload} if payload is not None else None
    )
    if letter_id in done.skipped:
        raise DeadLetterError(
            f"dead letter {letter_id} {done.skipped[letter_id]}: cannot replay it"
        )
    if letter_id in done.replayed:
        return ReplayOutcome(letter_id, True, done.replayed[letter_id])
    return ReplayOutcome(letter_id, False, None, done.failed.get(letter_id))
