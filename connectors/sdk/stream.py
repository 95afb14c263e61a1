"""What a source can read: its streams, as :meth:`Source.discover` reports them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Stream"]


@dataclass(frozen=True, slots=True)
class Stream:
    """One readable stream of a source and the canonical event it becomes."""

    name: str
    #: canonical type and version its records map to, e.g. ``retail.order.created`` and 2
    event_type: str
    event_version: int
    description: str = ""
    #: the field the checkpoint follows (e.g. ``updated_at``), if the stream is incremental
    cursor_field: str | None = None
