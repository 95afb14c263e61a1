"""Streaming X12 tokenizer: bytes in, one segment at a time out, in bounded memory.

The file is read in 1 MB chunks and cut at the segment terminator the ISA declared. Line
breaks and blank lines between segments are layout, not data, and are skipped. Where the
declared terminator is not ``~``, a ``~`` right before a line break also ends a segment: real
senders mix the two (the corpus 856 declares ``$`` and ends three segments with ``~``); a
``~`` inside an element is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, TypeAlias, cast

from connectors.errors import RecordError
from connectors.formats.x12.separators import Separators, read_separators

__all__ = ["Element", "Segment", "iter_segments"]

#: an element: text, or its components when it holds the component separator
Element: TypeAlias = str | list[str]

_CHUNK = 1 << 20
# bytes enough to hold any ISA and the terminator after it
_ISA_READ = 512
# a segment longer than this has lost its terminator: the rest of the file cannot be cut
_MAX_SEGMENT = 16 << 20
_TILDE_EOL = re.compile(rb"~(?=[\r\n])")
_LAYOUT = b"\r\n"


class Segment(NamedTuple):
    """One segment: its tag, elements (``elements[0]`` is the tag), bytes and place in the file."""

    tag: str
    elements: list[Element]
    #: the bytes from its tag through its terminator and the line breaks after it
    raw: bytes
    #: 1-based position of the segment in the file
    number: int
    #: 1-based index of the first element whose bytes are not UTF-8 (``None``: all are)
    bad_element: int | None = None


def iter_segments(
    fh: BinaryIO, seps: Separators, location: str, head: bytes = b""
) -> Iterator[Segment]:
    """Every segment of ``head`` then ``fh`` (from its current position), cut with ``seps``.

    A segment's ``raw`` runs from its tag through its terminator and the line breaks after
    it, so the raw bytes of consecutive segments add up to the file. A later ISA that
    declares other separators switches to them from that ISA on.
    """
    term = seps.segment_bytes
    tolerate = term != b"~"
    element, component = seps.element, seps.component
    number = 0
    # the segment not yet handed out: line breaks after it still join its raw bytes
    held_text = held_raw = b""
    pending, eof, recut = head, False, False
    while True:
        chunk = b"" if recut or eof else fh.read(_CHUNK)
        eof = eof or (not recut and not chunk)
        recut = False
        ended, pending = _cut(pending + chunk if pending else chunk, term, tolerate, last=eof)
        if len(pending) > _MAX_SEGMENT:
            raise RecordError(
                f"{location}, segment {number + 1}",
                f"no segment terminator {seps.segment!r} in {_MAX_SEGMENT >> 20} MB",
            )
        for at, (body, stop) in enumerate(ended):
            text = body.lstrip(_LAYOUT)
            if len(text) != len(body) and held_text:
                held_raw += body[: len(body) - len(text)]
            stripped = text.rstrip(_LAYOUT)
            if not stripped:  # a blank line: layout of the segment before it
                if held_text:
                    held_raw += text + stop
                continue
            if held_text:
                number += 1
                yield _segment(held_text, held_raw, number, element, component)
                if stripped.startswith(b"ISA"):
                    # a new interchange may declare new separators: cut the rest with them
                    rest, eof, extended = _from_isa(fh, ended[at:], pending, eof=eof)
                    new, _ = read_separators(rest, f"{location}, segment {number + 1}")
                    if new != seps or extended:
                        seps, term, tolerate = new, new.segment_bytes, new.segment_bytes != b"~"
                        element, component = new.element, new.component
                        held_text, pending, recut = b"", rest, True
                        break
            held_text, held_raw = stripped, text + stop
        if recut:
            continue
        if eof:
            if held_text:
                yield _segment(held_text, held_raw, number + 1, element, component)
            return


def _from_isa(
    fh: BinaryIO, ended: list[tuple[bytes, bytes]], pending: bytes, *, eof: bool
) -> tuple[bytes, bool, bool]:
    """The bytes from an ISA on, with enough read to hold the ISA: (bytes, eof, read more)."""
    rest = b"".join(body + stop for body, stop in ended) + pending
    rest = rest[len(rest) - len(rest.lstrip(_LAYOUT)) :]
    extended = False
    while len(rest) < _ISA_READ and not eof:
        more = fh.read(_CHUNK)
        eof, extended = not more, True
        rest += more
    return rest, eof, extended


def _cut(
    data: bytes, term: bytes, tolerate: bool, *, last: bool
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Cut ``data`` into (segment body, terminator) pairs and the unterminated rest.

    With ``tolerate``, a ``~`` before a line break ends a segment too. At the end of the file
    the rest is the last segment, which may lack its terminator.
    """
    pieces = data.split(term)
    tail = pieces.pop()
    ended: list[tuple[bytes, bytes]] = []
    for piece in pieces:
        if tolerate and b"~" in piece:
            parts = _TILDE_EOL.split(piece)
            ended.extend((part, b"~") for part in parts[:-1])
            ended.append((parts[-1], term))
        else:
            ended.append((piece, term))
    if tolerate and b"~" in tail:
        # ~-ended segments in the tail go out now instead of waiting for the next term
        parts = _TILDE_EOL.split(tail)
        tail = parts.pop()
        ended.extend((part, b"~") for part in parts)
    if not last:
        return ended, tail
    body = tail.rstrip(_LAYOUT)
    if tolerate and body.endswith(b"~"):
        ended.append((body[:-1], b"~" + tail[len(body) :]))
    else:
        ended.append((tail, b""))
    return ended, b""


def _segment(text: bytes, raw: bytes, number: int, element: str, component: str) -> Segment:
    bad: int | None = None
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        decoded = text.decode("utf-8", "replace")
        bad = text[: exc.start].decode("utf-8", "replace").count(element)
    parts = cast("list[Element]", decoded.split(element))
    tag = cast("str", parts[0])
    if component in decoded and tag != "ISA":  # ISA16 is the component separator itself
        parts[1:] = [_components(p, component) for p in parts[1:]]
    return Segment(tag, parts, raw, number, bad)


def _components(value: Element, component: str) -> Element:
    return value.split(component) if isinstance(value, str) and component in value else value
