"""A run of records a source translated itself: the bulk seam of the runner.

Most sources yield one :class:`~connectors.record.RawRecord` at a time and the runner maps it
(:meth:`Source.to_events`). A format with a fast path of its own (CSV's chunks, translated in
worker processes; a document's messages, each mapped by every spec that reads it) yields a
:class:`TranslatedBatch` instead: its events already serialised as CloudEvents batch messages
and its failures already rendered as dead-letter rows (a worker process cannot send an
exception back; a row is plain data). The runner treats it like the records it stands for:
pending until the next checkpoint, then published (:meth:`EventBus.publish_messages`) and
dead-lettered (:meth:`EventBus.dead_letter_rows`) before that checkpoint's state is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TranslatedBatch"]


@dataclass(frozen=True, slots=True)
class TranslatedBatch:
    """What ``records`` records of a source gave: bus messages and dead-letter rows."""

    #: records read (good, bad and ignored alike)
    records: int
    #: (routing key, CloudEvents batch body) pairs, in order
    messages: Sequence[tuple[str, bytes]] = ()
    #: events inside ``messages``
    events: int = 0
    #: dead letters rendered by :meth:`~connectors.sdk.deadletter.DeadLetter.as_row`
    dead_rows: Sequence[dict[str, Any]] = field(default_factory=tuple)
    #: records that carry no business event (a 997, a till sign-on): counted, not published
    ignored: int = 0
