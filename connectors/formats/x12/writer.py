"""Write X12 interchanges: envelopes with their control numbers and counts filled in.

Renderers hand over the body segments of each transaction set; the writer adds ST/SE (with
the segment count), GS/GE (with the set count) and ISA/IEA, and pads the ISA to its fixed
widths. A value holding one of the separators is refused: it would change the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.formats.x12.separators import Separators

__all__ = ["DEFAULT_SEPARATORS", "InterchangeHeader", "render_interchange"]

#: ``*`` elements, ``>`` components, ``~`` + line break between segments (004010 has no
#: repetition separator)
DEFAULT_SEPARATORS = Separators("*", ">", "~")

#: one transaction set: its id (``997``) and its body segments (without ST and SE)
TransactionSet = tuple[str, Sequence[Sequence[str]]]


@dataclass(frozen=True)
class InterchangeHeader:
    """Who sends to whom, and the control numbers of the interchange and its group."""

    sender: str
    receiver: str
    control_number: int
    group_control_number: int
    functional_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    version: str = "004010"
    test: bool = False
    when: datetime = field(default_factory=lambda: datetime.now(UTC))
    separators: Separators = DEFAULT_SEPARATORS


def render_interchange(header: InterchangeHeader, sets: Sequence[TransactionSet]) -> bytes:
    """One interchange of one functional group holding ``sets``, as bytes."""
    seps = header.separators
    when = header.when.astimezone(UTC)
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        header.sender_qualifier, header.sender.ljust(15)[:15],
        header.receiver_qualifier, header.receiver.ljust(15)[:15],
        when.strftime("%y%m%d"), when.strftime("%H%M"), "U", "00401",
        f"{header.control_number:09d}", "0", "T" if header.test else "P", seps.component,
    ]  # fmt: skip
    lines = [seps.element.join(isa)]
    gs = [
        "GS", header.functional_id, header.sender, header.receiver, when.strftime("%Y%m%d"),
        when.strftime("%H%M"), str(header.group_control_number), "X", header.version,
    ]  # fmt: skip
    lines.append(_segment(gs, seps))
    for number, (set_id, body) in enumerate(sets, start=1):
        control = f"{number:04d}"
        lines.append(_segment(["ST", set_id, control], seps))
        lines.extend(_segment(segment, seps) for segment in body)
        lines.append(_segment(["SE", str(len(body) + 2), control], seps))
    lines.append(_segment(["GE", str(len(sets)), str(header.group_control_number)], seps))
    lines.append(_segment(["IEA", "1", f"{header.control_number:09d}"], seps))
    end = seps.segment + ("\n" if seps.segment != "\n" else "")
    return "".join(line + end for line in lines).encode("utf-8")


def _segment(elements: Sequence[str], seps: Separators) -> str:
    delimiters = {seps.element, seps.component, seps.segment} | (
        {seps.repetition} if seps.repetition else set()
    )
    for index, value in enumerate(elements):
        clash = delimiters.intersection(value)
        if clash:
            raise ValueError(
                f"{elements[0]}{index:02d} {value!r} holds the separator {sorted(clash)[0]!r}"
            )
    # trailing empty elements are left out, as the standard asks
    trimmed = list(elements)
    while len(trimmed) > 1 and trimmed[-1] == "":
        trimmed.pop()
    return seps.element.join(trimmed)
