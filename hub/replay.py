"""Replaying a dead letter: parse, map, validate and publish it again, exactly once.

The replayed event keeps the id the record would have had (document + line + mapping), so a
consumer that somehow saw it before drops the copy; the letter is marked replayed only after
the broker confirmed the publish, and a letter already replayed is refused.

A document message's letter (its context names the ``format``) is parsed alone by that format,
mapped by the letter's spec — or, for a message that could not be parsed at all, by every spec
of the kind it turns out to be — and all its events (a ``split`` spec gives several) are
published in one confirmed batch per spec, with the ids the first run would have given them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pydantic
from sqlalchemy import Engine

from canonical import dataschema_uri, event_model, make_event_id
from connectors.errors import RecordError
from connectors.formats import registry as document_formats
from connectors.formats.csv import CsvFormat
from connectors.sdk.deadletter import DeadLetterStatus, describe_error
from hub.batch import BATCH_CONTENT_TYPE, EventBatch
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.deadletter.model import DeadLetterRow
from hub.deadletter.service import DeadLetterService, ReplayFailure, history_entry
from hub.document_pipeline import PendingBatches
from hub.documents import DocumentMapper, MessageOutcome, parse_one_message
from hub.errors import DeadLetterError
from hub.partners import PartnerDirectory
from mappings import MappingError, SpecRegistry

__all__ = ["ReplayOutcome", "replay_dead_letter"]


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """The result of one replay."""

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
    """Replay one open dead letter, optionally with corrected ``payload`` bytes.

    A document message is mapped again with its sender's partner profile (``partners``), as on
    its first run.

    On success the letter becomes ``replayed`` (history: who, when, event id, whether the
    payload was edited; the original bytes stay). On failure it stays open with the new reason
    appended to its history and its attempts counted.
    """
    store = DeadLetterService(engine)
    letter = store.get(letter_id)
    if letter.status != DeadLetterStatus.OPEN.value:
        raise DeadLetterError(f"dead letter {letter_id} is {letter.status}: only open ones replay")
    if letter.context.get("format") and letter.context.get("document"):
        return _replay_document_message(
            letter,
            engine=engine,
            publisher=publisher,
            registry=registry,
            actor=actor,
            payload=payload,
            partners=partners,
        )
    if letter.mapping_id is None:
        raise DeadLetterError(f"dead letter {letter_id} names no mapping: cannot replay it")
    mapping = registry.get(letter.mapping_id)
    data = letter.payload if payload is None else payload
    line = _line_of(letter)
    try:
        record = fmt.parse_record(data, letter.context, source=letter.source, line=line)
        model = event_model(mapping.target_type, mapping.target_version)
        event = model.model_validate(mapping(record.fields))
    except (RecordError, MappingError, pydantic.ValidationError) as exc:
        _record_failure(engine, letter, exc, actor)
        return ReplayOutcome(letter_id, False, None, describe_error(exc))
    event_id = letter.event_id or make_event_id(
        letter.key, str(line), f"{mapping.id}@{mapping.version}"
    )
    batch = EventBatch(
        source=letter.source,
        event_type=mapping.target_type,
        version=mapping.target_version,
        dataschema=dataschema_uri(mapping.target_type, mapping.target_version),
        time=datetime.now(UTC),
        correlation_id=letter.correlation_id,
    )
    batch.add(event_id, event)
    publisher.publish(
        batch.body(),
        routing_key=routing_key(mapping.target_type, mapping.target_version),
        content_type=BATCH_CONTENT_TYPE,
    )
    publisher.flush()
    with engine.begin() as conn:
        store.record_action(
            conn,
            letter_id,
            action="replay",
            actor=actor,
            new_status=DeadLetterStatus.REPLAYED,
            event_id=event_id,
            mapping=f"{mapping.id}@{mapping.version}",
            edited=payload is not None,
            replayed_payload=data.decode("utf-8", "replace") if payload else None,
        )
    return ReplayOutcome(letter_id, True, event_id)


def _replay_document_message(
    letter: DeadLetterRow,
    *,
    engine: Engine,
    publisher: ConfirmedPublisher,
    registry: SpecRegistry,
    actor: str,
    payload: bytes | None,
    partners: PartnerDirectory | None,
) -> ReplayOutcome:
    """Replay one message of a document (see the module docstring)."""
    context = letter.context
    data = letter.payload if payload is None else payload
    line = int(context.get("line") or 0)
    only = registry.get(letter.mapping_id) if letter.mapping_id else None
    try:
        fmt = document_formats.get(str(context["format"]))
        record = parse_one_message(fmt, data, context, source=letter.source, line=line)
    except RecordError as exc:
        _record_failure(engine, letter, exc, actor)
        return ReplayOutcome(letter.id, False, None, describe_error(exc))
    # the ids the first run would have given: the original key, even if the bytes were edited
    record.context = {**record.context, "key": context.get("key") or record.context.get("key")}
    outcome: MessageOutcome = DocumentMapper(registry, only=only, partners=partners).translate(
        record, fmt, str(context["document"])
    )
    if outcome.failures:
        error = outcome.failures[0].error
        _record_failure(engine, letter, error, actor)
        return ReplayOutcome(letter.id, False, None, describe_error(error))
    if outcome.ignored is not None:
        reason = f"{outcome.ignored.label} carries no business event to replay"
        _record_failure(engine, letter, DeadLetterError(reason), actor)
        return ReplayOutcome(letter.id, False, None, reason)
    pending = PendingBatches(letter.source, datetime.now(UTC))
    pending.add(outcome)
    for key, body in pending.take():
        publisher.publish(body, routing_key=key, content_type=BATCH_CONTENT_TYPE)
    publisher.flush()
    ids = [e.event_id for e in outcome.events]
    refs = sorted({f"{e.mapping.id}@{e.mapping.version}" for e in outcome.events})
    with engine.begin() as conn:
        DeadLetterService(engine).record_action(
            conn,
            letter.id,
            action="replay",
            actor=actor,
            new_status=DeadLetterStatus.REPLAYED,
            event_id=ids[0] if ids else None,
            event_ids=ids,
            mapping=", ".join(refs),
            edited=payload is not None,
            replayed_payload=data.decode("utf-8", "replace") if payload else None,
        )
    return ReplayOutcome(letter.id, True, ids[0] if ids else None)


def _line_of(letter: DeadLetterRow) -> int:
    tail = letter.location.rsplit(":line ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0


def _record_failure(engine: Engine, letter: DeadLetterRow, exc: Exception, actor: str) -> None:
    reason = describe_error(exc)
    entry = history_entry("replay_failed", actor, datetime.now(UTC), reason=reason)
    with engine.begin() as conn:
        DeadLetterService.record_replay_failures(
            conn, [ReplayFailure(letter.id, reason, [*letter.history, entry])]
        )
