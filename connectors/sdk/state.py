"""Read state and checkpoints: where a source resumes after a restart, without loss or duplicates.

A source yields a :class:`Checkpoint` after the records it covers. The runner makes those
records durable (published, or dead-lettered) *before* it stores the advanced :class:`State`,
so a crash in between re-reads them (same deterministic event ids: consumers drop copies) and
a crash after never re-reads them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Checkpoint", "State"]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A position in one stream; every record yielded before it is covered by it.

    ``position`` must be JSON-serialisable (a cursor, a page token, an offset, a timestamp).
    """

    stream: str
    position: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class State:
    """The positions of every stream of one connector instance (empty: read from the start)."""

    streams: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def position(self, stream: str) -> Mapping[str, Any] | None:
        """Where ``stream`` resumes, or None to read it from the start."""
        return self.streams.get(stream)

    def advance(self, checkpoint: Checkpoint) -> State:
        """A new state with ``checkpoint``'s stream moved to its position."""
        return State({**self.streams, checkpoint.stream: dict(checkpoint.position)})

    def to_json(self) -> bytes:
        """Serialise for a state store (sorted keys: equal states give equal bytes)."""
        return json.dumps({"streams": self.streams}, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str | None) -> State:
        """Parse what :meth:`to_json` wrote; empty or None is the initial state."""
        if not raw:
            return cls()
        loaded = json.loads(raw)
        return cls({str(k): dict(v) for k, v in loaded.get("streams", {}).items()})
