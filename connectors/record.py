"""The unit a source hands to the hub: original bytes plus where they came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RawRecord"]


@dataclass(slots=True)
class RawRecord:
    """One record as read from a source, before mapping (not frozen: built per row on the hot path).

    ``data`` keeps the original bytes so a dead letter can carry them unchanged; ``fields`` is
    the parsed tree the mapping reads; ``line`` is 1-based within ``source``.
    """

    data: bytes
    source: str
    line: int
    fields: Mapping[str, Any]
    content_type: str = "text/csv"
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        """Human-readable position, e.g. ``inbox/count.csv:line 12``."""
        return f"{self.source}:line {self.line}"
