"""JSON Schema compatibility levels, as Confluent Schema Registry defines them.

A *reader* schema is compatible with a *writer* schema when every document valid under the
writer is read by the reader. The levels decide who reads whom:

==================== ===========================================================
BACKWARD             the new schema reads data written with the latest version
FORWARD              the latest version reads data written with the new schema
FULL                 both
\\*_TRANSITIVE        the same against every registered version, not only the latest
NONE                 no check
==================== ===========================================================

The rules follow the reference registries and agree with Karapace's own test cases (see
``tests/registry/test_compat_corpus.py`` for the one case where Crossdock differs on purpose).
Crossdock offers Confluent's strict rule set: adding a property to an object whose content
model is open (no ``additionalProperties: false``) is incompatible under BACKWARD, because the
old writers may already have sent that name with any value. Karapace applies the same rule; the
findings carry a hint on how to change the schema instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

from hub.registry.compat_pair import Comparison
from hub.registry.compat_rules import Incompatibility
from hub.registry.compat_schema import Document

__all__ = ["CompatibilityLevel", "Incompatibility", "check_compatibility", "check_pair"]


class CompatibilityLevel(StrEnum):
    """Which registered versions a new schema is checked against, and in which direction."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"


def check_pair(
    reader: Mapping[str, Any] | bool, writer: Mapping[str, Any] | bool
) -> list[Incompatibility]:
    """Every reason ``reader`` may reject a document valid under ``writer``; ``[]`` if none."""
    comparison = Comparison(Document(reader), Document(writer))
    return comparison.check(reader, writer, "#")


def check_compatibility(
    new: Mapping[str, Any],
    existing: Sequence[Mapping[str, Any]],
    level: CompatibilityLevel,
    *,
    versions: Sequence[int] | None = None,
) -> list[Incompatibility]:
    """Check ``new`` against the registered schemas ``existing`` (oldest first) at ``level``.

    Non-transitive levels compare with the latest version only. ``versions`` gives the
    registry's version numbers of ``existing`` for the messages (default: 1, 2, ...). Each
    message starts with the version and the direction it broke in.
    """
    level = CompatibilityLevel(level)
    if level is CompatibilityLevel.NONE or not existing:
        return []
    numbers = list(versions) if versions is not None else list(range(1, len(existing) + 1))
    if len(numbers) != len(existing):
        raise ValueError("versions must name every existing schema")
    pairs = list(zip(numbers, existing, strict=True))
    if not level.endswith("_TRANSITIVE"):
        pairs = pairs[-1:]
    # Report the newest version first: that is the one the user most likely edited from.
    pairs.reverse()
    backward = level.startswith(("BACKWARD", "FULL"))
    forward = level.startswith(("FORWARD", "FULL"))
    found: list[Incompatibility] = []
    for number, old in pairs:
        if backward:
            prefix = f"BACKWARD vs version {number} (the new schema must read its data)"
            found += _prefixed(check_pair(new, old), prefix)
        if forward:
            prefix = f"FORWARD vs version {number} (it must read data of the new schema)"
            found += _prefixed(check_pair(old, new), prefix)
    return found


def _prefixed(found: list[Incompatibility], prefix: str) -> list[Incompatibility]:
    return [replace(i, message=f"{prefix}: {i.message}") for i in found]
