"""What a connector hands its results to: durable events out, failures into dead letters.

The hub implements :class:`EventBus` with its confirmed publisher and dead-letter store; the
SDK ships :class:`connectors.sdk.testing.StubBus` for connector authors' tests. A connector
never imports the hub: this protocol is the seam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from canonical import Envelope
from connectors.sdk.decisions import Decision

__all__ = ["DeadLetterRecord", "EventBus"]


@dataclass(slots=True)
class DeadLetterRecord:
    """An input that could not be processed, with its original bytes and the reason."""

    connector: str
    source: str
    #: human location of the input: file and line, URL and page, webhook delivery id
    location: str
    stage: str
    error: BaseException
    decision: Decision
    payload: bytes
    content_type: str
    #: identity of the source document; with location and stage it names the failure once
    source_key: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 1


@runtime_checkable
class EventBus(Protocol):
    """Where a connector's runner puts its results."""

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        """Publish ``events``; when this returns they are durable (confirmed by the broker)."""
        ...

    def dead_letter(self, letters: Sequence[DeadLetterRecord]) -> None:
        """Store ``letters``; when this returns they are durable."""
        ...
