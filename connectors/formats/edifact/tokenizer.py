"""Streaming EDIFACT tokenizer: bytes → segments → elements and components.

Segments are cut from the byte stream by the segment terminator, skipping terminators escaped
by an odd run of release characters, one read buffer at a time: memory holds one buffer and
the unfinished segment, never the file. The cut works on bytes because every EDIFACT service
character is ASCII, and neither UTF-8 nor the ISO 8859 sets put an ASCII byte inside a
multi-byte character. Line breaks between segments (one segment per line) are not data.

A segment's text splits into ``[tag, element 1, element 2, …]`` and each element into
``[whole, component 1, component 2, …]``: element and component indexes are 1-based, as
implementation guides number them (``QTY`` 1.2 is the quantity), and index 0 of an element
is its whole text (the same as component 1 for a simple element).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

from connectors.formats.edifact.syntax import ServiceChars
from connectors.formats.limits import LimitExceeded, read_limits

__all__ = ["Segment", "SegmentText", "iter_segments", "split_segment"]

_READ_SIZE = 1 << 16
_BETWEEN_SEGMENTS = b"\r\n\t "

SegmentText = list[str | list[str]]
"""A split segment: the tag (``str``) then one ``[whole, component 1, …]`` list per element."""


class Segment(NamedTuple):
    """One segment as cut from the file."""

    text: bytes
    """The segment without terminator or the line breaks before it."""
    raw: bytes
    """Its exact bytes in the file: what came since the previous segment (line breaks, an empty
    segment), the text, the terminator."""
    offset: int
    """Byte offset of ``text`` in the file."""
    number: int
    """1-based position of the segment in the file (the UNA advice is not counted)."""
    terminated: bool
    """False for a last segment that ends the file without a terminator."""


def iter_segments(
    fh: BinaryIO,
    chars: ServiceChars,
    *,
    start: bytes = b"",
    offset: int = 0,
    read_size: int = _READ_SIZE,
    source: str = "document",
) -> Iterator[Segment]:
    """Cut ``start`` plus the rest of ``fh`` into segments; ``offset`` is where ``start`` begins.

    A segment longer than :attr:`ReadLimits.segment_bytes` (its terminator never comes) is
    refused with :class:`LimitExceeded` at the byte offset where it began.
    """
    term = chars.terminator.encode("ascii")
    release = chars.release.encode("ascii")
    cap = read_limits().segment_bytes
    tail = carry = b""
    # blocks without a terminator, held apart: joining them to the tail block by block made a
    # segment that never ends cost the square of its length
    waiting: list[bytes] = []
    waited = 0
    number = 0
    for block in _blocks(fh, start, read_size):
        if term not in block:
            waiting.append(block)
            waited += len(block)
            _within_cap(len(tail) + waited, cap, source, number + 1, offset)
            continue
        if waiting:
            buffer = b"".join((tail, *waiting, block))
            waiting, waited = [], 0
        else:
            buffer = tail + block if tail else block
        pieces = buffer.split(term)
        tail = pieces.pop()
        joined = b""
        for cut in pieces:
            piece = joined + term + cut if joined else cut
            joined = b""
            if (
                release
                and piece.endswith(release)
                and (len(piece) - len(piece.rstrip(release))) % 2
            ):
                joined = piece  # the terminator was released: it is data
                continue
            text = piece.lstrip(_BETWEEN_SEGMENTS)
            raw_len = len(piece) + 1
            if text:
                number += 1
                raw = carry + piece + term if carry else piece + term
                carry = b""
                yield Segment(text, raw, offset + raw_len - 1 - len(text), number, True)
            else:  # an empty segment: not a segment, but its bytes stay with the next one
                carry += piece + term
            offset += raw_len
        if joined:
            tail = joined + term + tail
        _within_cap(len(tail), cap, source, number + 1, offset)
    if waiting:
        tail += b"".join(waiting)
    text = tail.lstrip(_BETWEEN_SEGMENTS).rstrip(_BETWEEN_SEGMENTS)
    if text:
        number += 1
        lead = len(tail) - len(tail.lstrip(_BETWEEN_SEGMENTS))
        yield Segment(text, carry + tail, offset + lead, number, False)


def _within_cap(size: int, cap: int, source: str, number: int, offset: int) -> None:
    """Refuse segment ``number`` at ``offset`` once its unfinished bytes pass the cap."""
    if size > cap:
        raise LimitExceeded(
            f"{source}, segment {number}", offset, "an EDIFACT segment", "segment_bytes", cap
        )


def _blocks(fh: BinaryIO, start: bytes, read_size: int) -> Iterator[bytes]:
    if start:
        yield start
    while block := fh.read(read_size):
        yield block


def split_segment(text: str, chars: ServiceChars) -> SegmentText:
    """Split one segment's text into its tag, elements and components (release chars removed).

    ``ValueError`` for a release character with nothing after it.
    """
    if chars.release and chars.release in text:
        return _split_released(text, chars)
    element_sep, component_sep = chars.element, chars.component
    parts = text.split(element_sep)
    segment: SegmentText = [parts[0]]
    for part in parts[1:]:
        if component_sep in part:
            segment.append([part, *part.split(component_sep)])
        else:
            segment.append([part, part])
    return segment


def _split_released(text: str, chars: ServiceChars) -> SegmentText:
    """The slow path for a segment holding release characters: one character at a time."""
    segment: SegmentText = []
    components: list[str] = []
    current: list[str] = []
    whole: list[str] = []
    released = False
    for ch in text:
        if released:
            current.append(ch)
            whole.append(ch)
            released = False
        elif ch == chars.release:
            released = True
        elif ch == chars.component:
            components.append("".join(current))
            whole.append(ch)
            current = []
        elif ch == chars.element:
            components.append("".join(current))
            segment.append(["".join(whole), *components] if segment else components[0])
            components, current, whole = [], [], []
        else:
            current.append(ch)
            whole.append(ch)
    if released:
        raise ValueError("release character at the end of the segment releases nothing")
    components.append("".join(current))
    segment.append(["".join(whole), *components] if segment else components[0])
    return segment
