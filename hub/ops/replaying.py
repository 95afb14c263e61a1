"""Replaying dead letters in batches: published and confirmed first, marked replayed after.

The order is the promise: a letter becomes ``replayed`` only once the broker has confirmed
the event it became. A process killed in between leaves the letter open, and the next replay
publishes it again under the same event id (see :func:`hub.ops.rendering.replay_event_id`), so
nothing is lost and consumers, deduplicating by id, see it once.

A letter that fails again while replaying stays the same letter: open, its attempts counted,
the new reason in place and appended to its history. Every published event carries the key of
the letter it came from (header ``crossdock-replay-of``), so a later stage failing on it can
name the same letter (:meth:`hub.deadletter.service.DeadLetterService.add_rows` reopens it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from canonical import dataschema_uri
from connectors.formats.csv import CsvFormat
from connectors.sdk.deadletter import DeadLetterStatus
from hub.batch import BATCH_CONTENT_TYPE, EventBatch
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.topology import routing_key
from hub.deadletter.model import DeadLetterRow
from hub.deadletter.service import DeadLetterService, ReplayFailure, ReplayMark, history_entry
from hub.ops.letters import Letter, letters_from, select_letters
from hub.ops.mapping_versions import MappingCatalog
from hub.ops.rendering import Rendered, render, replay_event_id
from hub.partners import PartnerDirectory

__all__ = ["REPLAY_HEADER", "BatchOutcome", "Replayer"]

REPLAY_HEADER = "crossdock-replay-of"
"""Message header: the dead-letter keys of the events in the message, in their order."""

_EVENTS_PER_MESSAGE = 100


@dataclass
class BatchOutcome:
    """What a batch replay did: letters replayed (with their event ids) and failed again."""

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


@dataclass
class Replayer:
    """Replays letters through their mapping (or a chosen version) on one publisher."""

    engine: Engine
    publisher: ConfirmedPublisher
    catalog: MappingCatalog
    format_for: Callable[[str], CsvFormat]
    #: called after the batch is confirmed and before it is marked (tests kill a run here)
    before_mark: Callable[[Sequence[int]], None] | None = None
    #: the trading partners: a document message replays with its sender's profile
    partners: PartnerDirectory | None = None

    def load(self, ids: Sequence[int]) -> list[Letter]:
        """The letters with ``ids``, in id order."""
        with self.engine.connect() as conn:
            stmt = select_letters().where(DeadLetterRow.id.in_(ids)).order_by(DeadLetterRow.id)
            return letters_from(conn, stmt)

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
        good: list[tuple[Letter, Rendered]] = []
        bad: list[tuple[Letter, Rendered]] = []
        documents: list[Letter] = []
        for letter in letters:
            if letter.status != DeadLetterStatus.OPEN.value:
                outcome.skipped[letter.id] = f"is {letter.status}, not open"
                continue
            if letter.context.get("format") and letter.context.get("document"):
                documents.append(letter)  # one message of a document (X12, IDoc, POSLog…)
                continue
            if letter.mapping_id is None:
                outcome.skipped[letter.id] = "names no mapping"
                continue
            if "csv" not in letter.content_type:
                # only CSV records can be parsed again alone so far; a letter of another
                # format is left as it is rather than failed again by the wrong reader
                outcome.skipped[letter.id] = f"no replay reader for {letter.content_type}"
                continue
            try:
                mapping = self.catalog.get(letter.mapping_id, mapping_version)
            except KeyError as exc:
                outcome.skipped[letter.id] = str(exc.args[0])
                continue
            rendered = render(
                letter, mapping, self.format_for(letter.connector), payloads.get(letter.id)
            )
            (good if rendered.ok else bad).append((letter, rendered))
        event_ids = self._publish(good)
        if self.before_mark is not None:
            self.before_mark([letter.id for letter, _ in good])
        now = datetime.now(UTC)
        marks = [
            ReplayMark(
                letter.id,
                [
                    *letter.history,
                    history_entry(
                        via,
                        actor,
                        now,
                        event_id=event_ids[letter.id],
                        mapping=r.mapping.ref,
                        edited=letter.id in payloads,
                        replayed_payload=(
                            payloads[letter.id].decode("utf-8", "replace")
                            if letter.id in payloads
                            else None
                        ),
                    ),
                ],
            )
            for letter, r in good
        ]
        fails = [
            ReplayFailure(
                letter.id,
                r.error or "replay failed",
                [
                    *letter.history,
                    history_entry(
                        "replay_failed",
                        actor,
                        now,
                        reason=r.error,
                        error_class=r.error_class,
                        mapping=r.mapping.ref,
                        edited=letter.id in payloads,
                    ),
                ],
            )
            for letter, r in bad
        ]
        with self.engine.begin() as conn:
            DeadLetterService.mark_replayed(conn, marks)
            DeadLetterService.record_replay_failures(conn, fails)
        outcome.replayed.update({letter.id: event_ids[letter.id] for letter, _ in good})
        outcome.failed.update({letter.id: r.error or "" for letter, r in bad})
        self._replay_documents(documents, outcome, actor, mapping_version, payloads)
        return outcome

    def _replay_documents(
        self,
        letters: Sequence[Letter],
        outcome: BatchOutcome,
        actor: str,
        mapping_version: int | None,
        payloads: Mapping[int, bytes],
    ) -> None:
        """Document messages replay one by one through :func:`hub.replay.replay_dead_letter`.

        It parses the message alone with its document's format and, like this module,
        publishes, waits for the confirm, then marks. It maps with the newest spec versions.
        """
        from hub.errors import DeadLetterError, HubError
        from hub.replay import replay_dead_letter

        for letter in letters:
            if mapping_version is not None:
                outcome.skipped[letter.id] = "a document message replays through its newest mapping"
                continue
            try:
                done = replay_dead_letter(
                    letter.id,
                    engine=self.engine,
                    publisher=self.publisher,
                    registry=self.catalog.newest(),
                    fmt=self.format_for(letter.connector),
                    actor=actor,
                    payload=payloads.get(letter.id),
                    partners=self.partners,
                )
            except (DeadLetterError, HubError) as exc:
                outcome.skipped[letter.id] = str(exc)
                continue
            if done.ok and done.event_id is not None:
                outcome.replayed[letter.id] = done.event_id
            else:
                outcome.failed[letter.id] = done.reason or "replay failed"

    def _publish(self, good: Sequence[tuple[Letter, Rendered]]) -> dict[int, str]:
        """Publish the events, grouped into batch messages; return when all are confirmed."""
        groups: dict[tuple[str, int, str, str | None], list[tuple[Letter, Rendered]]] = {}
        for letter, r in good:
            key = (
                r.mapping.target_type,
                r.mapping.target_version,
                letter.source,
                letter.correlation_id,
            )
            groups.setdefault(key, []).append((letter, r))
        ids: dict[int, str] = {}
        now = datetime.now(UTC)
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
                for letter, r in chunk:
                    assert r.model is not None
                    event_id = replay_event_id(letter, r.mapping)
                    batch.add(event_id, r.model)
                    ids[letter.id] = event_id
                self.publisher.publish(
                    batch.body(),
                    routing_key=routing_key(etype, version),
                    content_type=BATCH_CONTENT_TYPE,
                    headers={REPLAY_HEADER: json.dumps([letter.key for letter, _ in chunk])},
                )
        if ids:
            self.publisher.flush()
        return ids
