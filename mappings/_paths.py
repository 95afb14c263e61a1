"""Source paths: the small language that addresses a value in a parsed source tree.

Connectors hand the mapping a tree of mappings, lists and scalars. A path walks it::

    header.BEG.3        key "header", key "BEG", position 3
    N1[0].2             key "N1", position 0, position 2   (``[n]`` and ``.n`` mean the same)
    lines[-1].sku       negative positions count from the end
    $root.header.BEG.3  from the document root (inside ``each`` groups)
    $parent.id          from the enclosing ``each`` item (``$parent.$parent`` goes two up)
    $index              the 0-based output position inside the innermost ``each`` group

A numeric step reads a list element when the node is a list or tuple and the key ``"3"`` when the
node is a mapping, because X12/EDIFACT parsers give segments as lists while JSON/XML parsers give
objects. Anything absent along the way (missing key, position past the end, ``None``) makes the
whole path absent; reading a key from a scalar is an error, since it means the spec and the
source's shape disagree. (Numeric steps into a string are outside the language: do not rely on it.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["SourcePath", "as_items", "parse_path", "parse_template", "read_path"]

Step = str | int
Anchor = Literal["node", "root", "parent", "index"]

_KEY = re.compile(r"[^.\[\]{}$][^.\[\]{}]*")
_POSITION = re.compile(r"\[(-?\d+)\]")
_ANCHORS = ("$root", "$parent", "$index")


@dataclass(frozen=True, slots=True)
class SourcePath:
    """A parsed source path: its start (``anchor``; ``up`` levels for ``$parent``) and steps."""

    text: str
    anchor: Anchor
    steps: tuple[Step, ...]
    up: int = 0


def parse_path(text: str) -> SourcePath:
    """Parse a path; raise ``ValueError`` saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a path must be a non-empty string")
    if text == "$index":
        return SourcePath(text, "index", ())
    anchor, up, rest = _split_anchor(text)
    steps: list[Step] = []
    pos = 0
    need_dot = anchor != "node"
    while pos < len(rest):
        if rest[pos] == "[":
            match = _POSITION.match(rest, pos)
            if match is None:
                raise ValueError(f"path {text!r}: expected [n] at {rest[pos:]!r}")
            steps.append(int(match.group(1)))
        else:
            if need_dot:
                if rest[pos] != ".":
                    raise ValueError(f"path {text!r}: expected '.' before {rest[pos:]!r}")
                pos += 1
            match = _KEY.match(rest, pos)
            if match is None:
                raise ValueError(f"path {text!r}: expected a key at {rest[pos:]!r}")
            key = match.group(0)
            steps.append(int(key) if key.isdigit() else key)
        pos = match.end()
        need_dot = True
    if anchor == "node" and not steps:
        raise ValueError(f"path {text!r} has no steps")
    return SourcePath(text, anchor, tuple(steps), up)


def _split_anchor(text: str) -> tuple[Anchor, int, str]:
    if text.startswith("$root"):
        anchor: Anchor = "root"
        up, rest = 0, text[len("$root") :]
    else:
        anchor, up, rest = "node", 0, text
        while rest.startswith("$parent"):
            anchor, up, rest = "parent", up + 1, rest[len("$parent") :]
            if rest.startswith(".$parent"):
                rest = rest[1:]
    if anchor != "node" and rest and rest[0] not in ".[":
        raise ValueError(f"path {text!r}: expected '.' or '[' after the {anchor} anchor")
    if rest.startswith("$"):
        raise ValueError(f"path {text!r}: unknown anchor; use one of {', '.join(_ANCHORS)}")
    return anchor, up, rest


def parse_template(text: str) -> list[str | SourcePath]:
    """Parse a ``format`` template: literal text and ``{path}`` placeholders (``{{`` escapes)."""
    parts: list[str | SourcePath] = []
    literal: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in "{}" and text[pos : pos + 2] == char * 2:
            literal.append(char)
            pos += 2
        elif char == "{":
            end = text.find("}", pos)
            if end < 0:
                raise ValueError(f"format {text!r}: unclosed '{{'")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(parse_path(text[pos + 1 : end]))
            pos = end + 1
        elif char == "}":
            raise ValueError(f"format {text!r}: single '}}' (write '}}}}' for a brace)")
        else:
            literal.append(char)
            pos += 1
    if literal:
        parts.append("".join(literal))
    if not any(isinstance(part, SourcePath) for part in parts):
        raise ValueError(f"format {text!r} has no {{path}} placeholder; use const")
    return parts


def read_path(node: Any, steps: tuple[Step, ...]) -> Any:
    """Walk ``steps`` from ``node``: ``None`` when absent, ``ValueError`` on a shape mismatch."""
    for step in steps:
        if node is None:
            return None
        if isinstance(node, Mapping):
            node = node.get(str(step) if isinstance(step, int) else step)
        elif isinstance(step, int) and isinstance(node, Sequence) and not isinstance(node, str):
            node = node[step] if -len(node) <= step < len(node) else None
        else:
            wanted = "a list or an object" if isinstance(step, int) else "an object"
            raise ValueError(f"expected {wanted} to read {step!r} from, got {type(node).__name__}")
    return node


def as_items(value: Any) -> Sequence[Any]:
    """The items of a repeated group: a list as is, nothing for ``None``, one object as one item.

    XML-to-dict conversions give a single repeated element as an object, not a one-item list.
    """
    if value is None:
        return ()
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    if isinstance(value, Mapping):
        return (value,)
    raise ValueError(f"expected a list of items, got {type(value).__name__}")
