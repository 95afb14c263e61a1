"""A readable difference between two schema versions, by JSON pointer.

Lists of plain values (``required``, ``enum``, ``type``) are compared as sets, so a new
required property reads as "added 'loyalty_id' to /required" rather than as a changed list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from hub.registry.validation import json_pointer

__all__ = ["SchemaChange", "diff_schemas"]

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class SchemaChange:
    """One change at ``path``: a key or list item added or removed, or a value changed."""

    path: str
    change: ChangeKind
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        """One line for a human."""
        if self.change == "added":
            return f"added {_short(self.after)} at {self.path or '/'}"
        if self.change == "removed":
            return f"removed {_short(self.before)} at {self.path or '/'}"
        return f"changed {self.path or '/'}: {_short(self.before)} → {_short(self.after)}"


def diff_schemas(old: Any, new: Any) -> list[SchemaChange]:
    """The changes turning ``old`` into ``new``, in document order."""
    return list(_walk(old, new, []))


def _walk(old: Any, new: Any, path: list[str | int]) -> Iterator[SchemaChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        yield from _walk_objects(old, new, path)
    elif isinstance(old, list) and isinstance(new, list):
        if _plain(old) and _plain(new):
            yield from _walk_sets(old, new, path)
        else:
            yield from _walk_lists(old, new, path)
    elif old != new or type(old) is not type(new):
        yield SchemaChange(json_pointer(path), "changed", before=old, after=new)


def _walk_objects(
    old: dict[str, Any], new: dict[str, Any], path: list[str | int]
) -> Iterator[SchemaChange]:
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            yield SchemaChange(json_pointer([*path, key]), "removed", before=old[key])
        elif key not in old:
            yield SchemaChange(json_pointer([*path, key]), "added", after=new[key])
        else:
            yield from _walk(old[key], new[key], [*path, key])


def _walk_sets(old: list[Any], new: list[Any], path: list[str | int]) -> Iterator[SchemaChange]:
    where = json_pointer(path)
    for item in old:
        if item not in new:
            yield SchemaChange(where, "removed", before=item)
    for item in new:
        if item not in old:
            yield SchemaChange(where, "added", after=item)


def _walk_lists(old: list[Any], new: list[Any], path: list[str | int]) -> Iterator[SchemaChange]:
    for i in range(max(len(old), len(new))):
        if i >= len(new):
            yield SchemaChange(json_pointer([*path, i]), "removed", before=old[i])
        elif i >= len(old):
            yield SchemaChange(json_pointer([*path, i]), "added", after=new[i])
        else:
            yield from _walk(old[i], new[i], [*path, i])


def _plain(items: list[Any]) -> bool:
    return all(not isinstance(i, dict | list) for i in items)


def _short(value: Any, limit: int = 80) -> str:
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
