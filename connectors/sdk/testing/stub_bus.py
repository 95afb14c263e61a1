"""An in-memory :class:`~connectors.sdk.bus.EventBus` for connector tests: it keeps everything."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canonical import Envelope
from connectors.sdk.deadletter import DeadLetter

__all__ = ["StubBus"]


class StubBus:
    """Keeps published events and dead letters in lists, in order, duplicates included.

    ``fail_publishes`` makes the next N publishes raise ``ConnectionError`` (a transient
    failure), to test that a runner re-publishes after a broker hiccup.
    """

    def __init__(self, *, fail_publishes: int = 0) -> None:
        self.events: list[Envelope[Any]] = []
        self.dead_letters: list[DeadLetter] = []
        #: what the bulk seam handed over: batch messages and rendered dead-letter rows
        self.messages: list[tuple[str, bytes]] = []
        self.dead_rows: list[dict[str, Any]] = []
        self.publish_calls = 0
        self.fail_publishes = fail_publishes

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        """Keep ``events`` (or fail, while ``fail_publishes`` lasts)."""
        self.publish_calls += 1
        if self.fail_publishes > 0:
            self.fail_publishes -= 1
            raise ConnectionError("stub bus: publish refused (scripted)")
        self.events.extend(events)

    def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        """Keep ``letters``."""
        self.dead_letters.extend(letters)

    def publish_messages(self, messages: Sequence[tuple[str, bytes]]) -> None:
        """Keep ``messages`` (or fail, as :meth:`publish` does)."""
        self.publish_calls += 1
        if self.fail_publishes > 0:
            self.fail_publishes -= 1
            raise ConnectionError("stub bus: publish refused (scripted)")
        self.messages.extend(messages)

    def dead_letter_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep ``rows``."""
        self.dead_rows.extend(rows)

    @property
    def event_ids(self) -> list[str]:
        """Ids of the published events, in order, duplicates included."""
        return [e.id for e in self.events]

    def clear(self) -> None:
        """Forget everything kept so far."""
        self.events.clear()
        self.dead_letters.clear()
        self.messages.clear()
        self.dead_rows.clear()
