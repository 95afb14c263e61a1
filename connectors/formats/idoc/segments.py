"""SAP IDoc segment types: where each sits in its basic type's hierarchy, and its flat layout.

The data lives in ``segments.yaml`` beside this module (see its header): a segment type's
``parent`` (``E1EDP19`` is a child of ``E1EDP01``) and, for the flat-file form, the lengths of
its leading fields. :func:`nest` puts segments written flat (every one at the top of the IDoc,
as flat files and some middleware give them) inside their parents, as SAP's XML port writes
them, so a mapping spec reads one shape whichever the sender used.

Segment names come in two spellings: the segment *type* (``E1EDK01``), which IDoc XML uses,
and the release-specific segment *definition* (``E2EDK01005``: ``E2`` and a three-digit
version), which flat files may carry in ``SEGNAM``. :func:`segment_type` turns the second into
the first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import etree

__all__ = ["Segment", "nest", "segment", "segment_type"]

_DATA = Path(__file__).with_name("segments.yaml")
# a definition name: E2/Z2/Y2, the type's stem, then the three-digit version (E2EDK01005);
# a definition without a version (E2EDK03) ends in at most two digits
_DEFINITION = re.compile(r"^([EZY])2(\w*?)(\d*)$")


@dataclass(frozen=True, slots=True)
class Segment:
    """What Crossdock knows of one segment type."""

    name: str
    #: the segment type this one is a child of; ``None`` for a top-level segment
    parent: str | None
    #: ``(field, length)`` of the leading fields of SDATA in the flat form; empty if unknown
    fields: tuple[tuple[str, int], ...]


@functools.cache
def _segments() -> dict[str, Segment]:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))["segments"]
    return {
        name: Segment(
            name,
            entry.get("parent"),
            tuple((str(f), int(n)) for f, n in entry.get("fields", [])),
        )
        for name, entry in raw.items()
    }


def segment(name: str) -> Segment | None:
    """The segment type ``name`` (a type name such as ``E1EDP01``), if it is listed."""
    return _segments().get(name)


@functools.cache
def segment_type(name: str) -> str:
    """``E2EDK01005`` → ``E1EDK01``; a type name (``E1EDK01``, ``Z1MYSEG``) is kept."""
    match = _DEFINITION.match(name)
    if match is None:
        return name
    prefix, stem, digits = match.groups()
    if len(digits) >= 3:  # the last three are the version
        digits = digits[:-3]
    return f"{prefix}1{stem}{digits}"


@functools.cache
def _parents() -> dict[str, str]:
    return {name: seg.parent for name, seg in _segments().items() if seg.parent}


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def nest(idoc: etree._Element) -> None:
    """Move each top-level segment of ``idoc`` into the last segment of its parent type.

    Segments already nested stay where they are; a segment whose parent type has not occurred
    before it (an extension, or a sender's own order) stays at the top. Works in place.
    """
    parents = _parents()
    children = list(idoc)
    # nested as SAP writes it (the usual case): no top-level segment has a parent type
    if parents.keys().isdisjoint({child.tag for child in children}) and (
        not idoc.nsmap or parents.keys().isdisjoint({_local(c.tag) for c in children})
    ):
        return
    last: dict[str, etree._Element] = {}
    for child in children:
        name = _local(child.tag)
        parent_type = parents.get(name)
        target = last.get(parent_type) if parent_type else None
        if target is not None:
            target.append(child)  # lxml moves the element
        for seg in child.iter():
            seg_name = _local(seg.tag)
            if seg_name[:1] in ("E", "Z", "Y") and len(seg):
                last[seg_name] = seg
        if not len(child):
            last[name] = child
