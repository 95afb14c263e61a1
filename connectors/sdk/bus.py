"""What a connector hands its results to: durable events out, failures into dead letters.

The hub implements :class:`EventBus` with its confirmed publisher and dead-letter service; the
SDK ships :class:`connectors.sdk.testing.StubBus` for connector authors' tests. A connector
never imports the hub: this protocol is the seam.

``DeadLetterRecord`` is the former name of :class:`~connectors.sdk.deadletter.DeadLetter`, the
one dead-letter model; it still resolves, with a ``DeprecationWarning``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from canonical import Envelope
from connectors.sdk.deadletter import DeadLetter

__all__ = ["EventBus"]


@runtime_checkable
class EventBus(Protocol):
    """Where a connector's runner puts its results."""

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        """Publish ``events``; when this returns they are durable (confirmed by the broker)."""
        ...

    def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        """Store ``letters``; when this returns they are durable."""
        ...

    def publish_messages(self, messages: Sequence[tuple[str, bytes]]) -> None:
        """Publish ``(routing key, CloudEvents batch body)`` pairs a source serialised itself
        (:class:`~connectors.sdk.translated.TranslatedBatch`); durable when this returns."""
        ...

    def dead_letter_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store dead letters already rendered by :meth:`DeadLetter.as_row` (in a worker
        process); durable when this returns."""
        ...


def deprecated_dead_letter_record(module: str) -> Any:
    """``DeadLetterRecord`` of ``module``: the one model under its old name, with a warning."""
    warnings.warn(
        f"{module}.DeadLetterRecord is deprecated: use connectors.sdk.DeadLetter",
        DeprecationWarning,
        stacklevel=3,
    )
    return DeadLetter


def __getattr__(name: str) -> Any:
    if name == "DeadLetterRecord":
        return deprecated_dead_letter_record(__name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
