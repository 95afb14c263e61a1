"""The four X12 delimiters, read from the interchange header (ISA) of each document.

An ISA is 16 elements after its tag. The element separator is the byte right after ``ISA``;
ISA11 is the repetition separator from version 00402 on (before, it is the code ``U``);
ISA16 is the component separator and the byte after it ends the segment. Partners pad ISA
elements to fixed widths by the standard, but real files do not always (the corpus has ISAs
with one-space sender fields), so the header is cut at its separators, never at byte 106.

Two layouts senders get wrong are read as they were meant:

- ISA16 left out: ``…*P*~`` then a line break, where every later segment also ends with ``~``
  and a line break. Read literally, ``~`` would be the component separator and the line break
  the terminator, and every segment's last element would end in an empty component. When the
  next segment ends the same way, ``~`` is the terminator and no component separator was
  given (``component`` is then the terminator itself, which never occurs inside a segment).
- One segment per line (the terminator followed by a line break): recorded in
  ``Separators.line_per_segment``, so that the tokenizer can tell a line that lost its
  terminator from a segment wrapped over several lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import RecordError

__all__ = ["ISA_ELEMENTS", "Separators", "read_separators"]

#: elements after the ``ISA`` tag
ISA_ELEMENTS = 16
# enough for any ISA: 106 bytes by the standard, more when a partner over-pads
_MAX_ISA = 512
_BREAKS = (b"\r", b"\n")


@dataclass(frozen=True, slots=True)
class Separators:
    """Delimiters of one interchange, as single characters."""

    element: str
    component: str
    segment: str
    #: ``None`` before version 00402, where ISA11 is not a separator
    repetition: str | None = None
    #: the ISA's terminator is followed by a line break: the sender writes a segment a line
    line_per_segment: bool = False

    @property
    def segment_bytes(self) -> bytes:
        """The segment terminator as the byte the tokenizer splits on."""
        return self.segment.encode("latin-1")


def read_separators(head: bytes, location: str) -> tuple[Separators, int]:
    """The delimiters declared by the ISA at the start of ``head``, and the ISA's length.

    ``head`` must start with ``ISA``. Raises :class:`RecordError` naming ``location`` when
    the header is cut short or declares a separator twice (the document is unreadable).
    """
    if not head.startswith(b"ISA") or len(head) < 4:
        raise RecordError(location, "document does not start with an ISA interchange header")
    element = head[3:4]
    if element.isalnum() or element in b" \r\n":
        raise RecordError(
            location, f"ISA element separator {element!r} is a letter, digit or space"
        )
    pos = 3
    for _ in range(ISA_ELEMENTS - 1):
        pos = head.find(element, pos + 1, _MAX_ISA)
        if pos < 0:
            raise RecordError(
                location, f"ISA is cut short: fewer than {ISA_ELEMENTS} elements", field="ISA16"
            )
    # ISA16 is one byte, and the segment terminator the byte right after it
    if len(head) < pos + 3:
        raise RecordError(location, "ISA is cut short before its segment terminator", field="ISA16")
    component, terminator = head[pos + 1 : pos + 2], head[pos + 2 : pos + 3]
    length = pos + 3
    if terminator in _BREAKS and _ends_next_segment(head, length, component):
        # ISA16 left out: the byte in its place is the terminator (see the module docstring)
        terminator, length = component, pos + 2
    elements = head[4:pos].split(element)
    version, isa11 = elements[11], elements[10]
    repetition = isa11 if version >= b"00402" and len(isa11) == 1 and not isa11.isalnum() else None
    chars = [element, terminator] + ([repetition] if repetition else [])
    chars += [component] if component != terminator else []
    if len(set(chars)) != len(chars):
        raise RecordError(
            location,
            f"ISA declares the same character twice among its separators {chars!r}"
            + _element_count(head, element, pos),
            field="ISA16",
        )
    if terminator.isalnum() or terminator == b" ":
        raise RecordError(
            location,
            f"segment terminator {terminator!r} after ISA16 is not a delimiter"
            + _element_count(head, element, pos),
        )
    seps = Separators(
        element.decode("latin-1"),
        component.decode("latin-1"),
        terminator.decode("latin-1"),
        repetition.decode("latin-1") if repetition else None,
        line_per_segment=head[length : length + 1] in _BREAKS and terminator not in _BREAKS,
    )
    return seps, length


def _element_count(head: bytes, element: bytes, isa16: int) -> str:
    """Why an ISA's separators read wrong, when it is its element count (X12.5 fixes 16).

    With more elements, the byte after the 16th is an element separator; with fewer, the
    16th element separator found is in the segment after the ISA (GS, TA1 or IEA, X12.5's
    only segments after an ISA), whose tag then starts inside the ISA as read.
    """
    if head[isa16 + 2 : isa16 + 3] == element:
        more = head[isa16 + 2 :].split(b"\n", 1)[0].split(b"~", 1)[0].count(element)
        return f": the ISA has at least {ISA_ELEMENTS + more} elements, X12.5 defines 16"
    for tag in (b"GS", b"TA1", b"IEA"):
        at = head.find(tag + element, 4, isa16 + 1)
        if at > 4 and not head[at - 1 : at].isalnum():
            count = head[:at].rstrip(b"\r\n \t")[:-1].count(element)
            return (
                f": the ISA has {count} elements, X12.5 defines 16 (the {tag.decode()} "
                f"segment after it starts at byte {at})"
            )
    return ""


def _ends_next_segment(head: bytes, start: int, char: bytes) -> bool:
    """Whether the line after ``start`` (the GS, normally) ends with ``char``."""
    rest = head[start:].lstrip(b"\r\n \t")
    end = min((i for i in (rest.find(b"\n"), rest.find(b"\r")) if i >= 0), default=-1)
    return end > 0 and rest[:end].rstrip(b" \t").endswith(char)
