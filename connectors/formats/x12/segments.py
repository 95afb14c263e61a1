"""Streaming X12 tokenizer: bytes in, one segment at a time out, in bounded memory.

The file is read in 1 MB chunks and cut at the segment terminator the ISA declared. Line
breaks, blank lines and the tabs or spaces that indent a segment are layout, not data, and are
skipped (no segment tag starts with a blank). Where the declared terminator is not ``~``, a
``~`` right before a line break also ends a segment: real senders mix the two (the corpus 856
declares ``$`` and ends three segments with ``~``); a ``~`` inside an element is left alone.

X12's character sets hold no line break, so one inside a segment is layout too. In a file
written a segment per line (:attr:`Separators.line_per_segment`), a line break followed by a
segment tag and the element separator means the sender left out a terminator: the segment ends
there (the corpus 850 of EDI.Net's issue 135 has a ``DTM`` without its ``~``; read as one, the
next ``PO1`` would be lost inside it). Any other line break inside a segment (a file wrapped at
a fixed width) is taken out of the elements; the segment's raw bytes keep it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, TypeAlias, cast

from connectors.formats.limits import LimitExceeded, read_limits
from connectors.formats.x12.separators import Separators, read_separators

__all__ = ["Element", "Segment", "iter_segments"]

#: an element: text, or its components when it holds the component separator
Element: TypeAlias = str | list[str]

_CHUNK = 1 << 20
# bytes enough to hold any ISA and the terminator after it
_ISA_READ = 512
_TILDE_EOL = re.compile(rb"~(?=[\r\n])")
_LAYOUT = b"\r\n"
# before a segment's tag: line breaks and the blanks that indent it
_INDENT = b"\r\n \t"
_BREAK_BYTES = frozenset(b"\r\n")


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
    #: of an ISA: the separators it declares, as the tokenizer read them (with the GS after it)
    separators: Separators | None = None


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
    unended = _unended_line(seps)
    number = 0
    # a segment longer than this has lost its terminator: the rest of the file cannot be cut
    cap = read_limits().segment_bytes
    consumed = len(head)  # bytes of the document handed to the cutter so far
    # the segment not yet handed out: line breaks after it still join its raw bytes
    held_text = held_raw = b""
    pending, eof, recut = head, False, False
    reads = _reads(fh, cap, term)
    while True:
        chunk = b"" if recut or eof else next(reads, b"")
        consumed += len(chunk)
        eof = eof or (not recut and not chunk)
        recut = False
        buffer = pending + chunk if pending else chunk
        ended, pending, clean = _cut(buffer, term, tolerate, unended, last=eof)
        # chunks are read ahead up to the cap, so a segment over it may come whole, terminator
        # and all: the segments before it are handed out, then it is refused
        # (a buffer within the cap holds no segment over it: the usual case, not scanned)
        fits = len(ended) if len(buffer) <= cap else _within_cap(ended, cap)
        for at, (body, stop) in enumerate(ended if fits == len(ended) else ended[:fits]):
            text = body.lstrip(_INDENT)
            if len(text) != len(body) and held_text:
                held_raw += body[: len(body) - len(text)]
            stripped = text.rstrip(_LAYOUT) if clean else _unwrap(text.rstrip(_LAYOUT))
            if not stripped:  # a blank line: layout of the segment before it
                if held_text:
                    held_raw += text + stop
                continue
            if held_text:
                number += 1
                yield _segment(held_text, held_raw, number, seps)
                if stripped.startswith(b"ISA"):
                    # a new interchange may declare new separators: cut the rest with them
                    rest, eof, extended = _from_isa(fh, ended[at:], pending, eof=eof)
                    new, _ = read_separators(rest, f"{location}, segment {number + 1}")
                    if new != seps or extended:
                        seps, term, tolerate = new, new.segment_bytes, new.segment_bytes != b"~"
                        unended = _unended_line(new)
                        held_text, pending, recut = b"", rest, True
                        break
            held_text, held_raw = stripped, text + stop
        if recut:
            continue
        if fits < len(ended) or len(pending) > cap:  # the held segment is not handed out
            where = f"{location}, segment {number + 1 + bool(held_text)}"
            before = ended[:fits]
            raise _too_long(where, consumed - len(buffer), before, seps, ended=fits < len(ended))
        if eof:
            if held_text:
                yield _segment(held_text, held_raw, number + 1, seps)
            return


def _within_cap(ended: list[tuple[bytes, bytes]], cap: int) -> int:
    """How many of the ``ended`` segments, from the first, are within ``cap`` bytes."""
    return next((at for at, (body, _) in enumerate(ended) if len(body) > cap), len(ended))


def _too_long(
    where: str, start: int, before: list[tuple[bytes, bytes]], seps: Separators, *, ended: bool
) -> LimitExceeded:
    """The refusal of the segment after ``before``, cut from file offset ``start``: one that
    ``ended`` over the cap, or the rest of the buffer, which never found its terminator."""
    offset = start + sum(len(body) + len(stop) for body, stop in before)
    what = "an X12 segment" if ended else f"an X12 segment (no terminator {seps.segment!r})"
    return LimitExceeded(where, offset, what, "segment_bytes", read_limits().segment_bytes)


def _reads(fh: BinaryIO, cap: int, term: bytes) -> Iterator[bytes]:
    """``fh`` read a chunk at a time; chunks where no segment can end (no ``term``, ``~`` or
    line break) are joined to the next, up to ``cap`` bytes. A segment that never ends is then
    joined once, not once per chunk (which cost the square of its length). Nothing is held
    between two chunks handed out, so the caller may read ``fh`` itself in between; a later
    ISA's other terminator only delays a join, it never loses a byte."""
    waiting: list[bytes] = []
    waited = 0
    while chunk := fh.read(_CHUNK):
        if waited + len(chunk) <= cap and not _may_end_segment(chunk, term):
            waiting.append(chunk)
            waited += len(chunk)
            continue
        if waiting:
            chunk = b"".join((*waiting, chunk))
            waiting, waited = [], 0
        yield chunk
    if waiting:
        yield b"".join(waiting)


def _may_end_segment(chunk: bytes, term: bytes) -> bool:
    return term in chunk or b"~" in chunk or b"\n" in chunk or b"\r" in chunk


def _from_isa(
    fh: BinaryIO, ended: list[tuple[bytes, bytes]], pending: bytes, *, eof: bool
) -> tuple[bytes, bool, bool]:
    """The bytes from an ISA on, with enough read to hold the ISA: (bytes, eof, read more)."""
    rest = b"".join(body + stop for body, stop in ended) + pending
    rest = rest[len(rest) - len(rest.lstrip(_INDENT)) :]
    extended = False
    while len(rest) < _ISA_READ and not eof:
        more = fh.read(_CHUNK)
        eof, extended = not more, True
        rest += more
    return rest, eof, extended


def _unended_line(seps: Separators) -> re.Pattern[bytes] | None:
    """A line break that ends a segment whose terminator the sender left out, or ``None``.

    Only in a file written a segment per line, and only before a segment tag and the element
    separator (indented or not), after data: not after a terminator or a blank line.
    """
    if not seps.line_per_segment:
        return None
    ends = re.escape(b"\r\n~" + seps.segment_bytes)
    element = re.escape(seps.element.encode("latin-1"))
    return re.compile(
        rb"(?<=[^" + ends + rb"])(?:\r\n|\n|\r)(?=[ \t]*[A-Z][A-Z0-9]{1,2}" + element + rb")"
    )


def _cut(
    data: bytes,
    term: bytes,
    tolerate: bool,
    unended: re.Pattern[bytes] | None = None,
    *,
    last: bool,
) -> tuple[list[tuple[bytes, bytes]], bytes, bool]:
    """Cut ``data`` into (segment body, terminator) pairs, the unterminated rest, and whether
    no body holds a line break (see :func:`_only_breaks_after_terminators`).

    With ``tolerate``, a ``~`` before a line break ends a segment too. With ``unended``, a line
    break it matches ends a segment that has no terminator: the pair's terminator is empty and
    the line break starts the next body, as layout. At the end of the file the rest is the last
    segment, which may lack its terminator.
    """
    pieces = data.split(term)
    tail = pieces.pop()
    clean = _only_breaks_after_terminators(data, term)
    if clean or (unended is not None and unended.search(data) is None):
        unended = None
    ended = _ended(pieces, term, tolerate, unended)
    if tolerate and b"~" in tail:
        # ~-ended segments in the tail go out now instead of waiting for the next term
        parts = _TILDE_EOL.split(tail)
        tail = parts.pop()
        for part in parts:
            _end(ended, part, b"~", unended)
    if unended is not None:
        # so do the lines before the tail's last one; the last may still grow
        starts = [m.start() for m in unended.finditer(tail)]
        if starts:
            _end(ended, tail[: starts[-1]], b"", unended)
            tail = tail[starts[-1] :]
    if not last:
        return ended, tail, clean
    body = tail.rstrip(_LAYOUT)
    if tolerate and body.endswith(b"~"):
        ended.append((body[:-1], b"~" + tail[len(body) :]))
    else:
        ended.append((tail, b""))
    return ended, b"", clean


def _only_breaks_after_terminators(data: bytes, term: bytes) -> bool:
    """Whether every line break in ``data`` follows a terminator (or starts ``data``).

    True of nearly every file (a segment per line, or all on one line): then no segment holds
    a line break, and none lost its terminator. Five counts per chunk are far cheaper than a
    look at each segment.
    """
    # the line break a chunk may start with follows the terminator that ended the last one
    start = 0
    while start < len(data) and data[start] in _BREAK_BYTES:
        start += 1
    crlf = data.count(b"\r\n", start)
    if term in (b"\n", b"\r"):
        other = b"\r" if term == b"\n" else b"\n"
        return data.count(other, start) == crlf
    breaks = data.count(b"\n", start) + data.count(b"\r", start) - crlf
    return breaks == data.count(term + b"\n", start) + data.count(term + b"\r", start)


def _ended(
    pieces: list[bytes], term: bytes, tolerate: bool, unended: re.Pattern[bytes] | None
) -> list[tuple[bytes, bytes]]:
    """The (body, terminator) pairs of pieces that each ended with ``term``."""
    if unended is None and not tolerate:
        return [(piece, term) for piece in pieces]
    ended: list[tuple[bytes, bytes]] = []
    for piece in pieces:
        if tolerate and b"~" in piece:
            parts = _TILDE_EOL.split(piece)
            for part in parts[:-1]:
                _end(ended, part, b"~", unended)
            _end(ended, parts[-1], term, unended)
        else:
            _end(ended, piece, term, unended)
    return ended


def _unwrap(text: bytes) -> bytes:
    """A segment wrapped over lines, whole: X12 data holds no line break, so they are layout."""
    if b"\n" in text or b"\r" in text:
        return text.replace(b"\r", b"").replace(b"\n", b"")
    return text


def _end(
    ended: list[tuple[bytes, bytes]],
    body: bytes,
    stop: bytes,
    unended: re.Pattern[bytes] | None,
) -> None:
    """Add ``body`` ended by ``stop``, cut first where ``unended`` finds a lost terminator."""
    if unended is None:
        ended.append((body, stop))
        return
    start = 0
    for match in unended.finditer(body):
        # the line break stays with the next body, where it is layout
        ended.append((body[start : match.start()], b""))
        start = match.start()
    ended.append((body[start:], stop))


def _segment(text: bytes, raw: bytes, number: int, seps: Separators) -> Segment:
    element, component = seps.element, seps.component
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
    return Segment(tag, parts, raw, number, bad, seps if tag == "ISA" else None)


def _components(value: Element, component: str) -> Element:
    return value.split(component) if isinstance(value, str) and component in value else value
