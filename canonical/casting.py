"""Casters: pure functions that turn one version of an event's ``data`` into an adjacent one.

Each event module declares its casts as ``CastStep`` values next to its models, so a new version
and the code that converts to and from it are reviewed together; the registry only collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Caster = Callable[[dict[str, Any]], dict[str, Any]]
"""A pure function turning one version's ``data`` (JSON form) into an adjacent version's."""


@dataclass(frozen=True, slots=True)
class CastStep:
    """One registered caster between adjacent versions of an event type."""

    event_type: str
    from_version: int
    to_version: int
    fn: Caster
    lossy_fields: tuple[str, ...] = ()
    """Fields of the source version that the target version cannot carry (downcasts)."""
