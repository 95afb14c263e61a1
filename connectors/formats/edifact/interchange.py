"""What the reader knows of the interchange it is in, from its UNB header."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.formats.edifact.syntax import ServiceChars
from connectors.formats.edifact.tokenizer import SegmentText

__all__ = ["Interchange", "counts", "same_reference", "value_at"]

_REMEMBERED_REFS = 1024


def counts(declared: str, counted: int) -> bool:
    """Whether a control count as written (``"3"``, ``"003"``) equals what was counted."""
    # isascii: str.isdigit() also accepts digits such as "²" that int() refuses
    return declared.isascii() and declared.isdigit() and int(declared) == counted


def same_reference(trailer: str, header: str) -> bool:
    """Whether a trailer's control reference (UNZ, UNE, UNT) names its header's.

    Equal text, or equal numbers written with different leading zeros: references are ``an..14``
    but most senders write a counter, some padded in the header and not in the trailer.
    """
    if trailer == header:
        return True
    digits = trailer.isascii() and trailer.isdigit() and header.isascii() and header.isdigit()
    return digits and int(trailer) == int(header)


def value_at(segment: SegmentText, element: int, component: int) -> str:
    """The text at (element, component), 1-based (component 0: the whole element); or ``""``."""
    if element >= len(segment):
        return ""
    parts = segment[element]
    return parts[component] if component < len(parts) else ""


@dataclass(slots=True)
class Interchange:
    """One UNB..UNZ interchange: its reference, header, character set, and what was counted."""

    ref: str
    header: SegmentText
    syntax: str
    """UNB S001 as written, e.g. ``UNOC:3``."""
    charset: str | None
    """The codec of the syntax identifier; ``None`` when unknown."""
    chars: ServiceChars
    header_text: str = ""
    """UNB as written (without terminator), so a message can be parsed again on its own."""
    messages: int = 0
    group_ref: str | None = None
    group_messages: int = 0
    groups: int = 0
    enveloped: bool = True
    """False for messages sent without UNB/UNZ: no sender, recipient or reference is known."""
    warnings: list[str] = field(default_factory=list)
    """Said of every message of the interchange (undeclared delimiters, no envelope)."""

    @property
    def where(self) -> str:
        """``, UNB ref <ref>`` for a location; empty without an envelope."""
        return f", UNB ref {self.ref}" if self.enveloped else ""

    refs: set[str] = field(default_factory=set)
    """The message references read so far, to tell a repeated one."""

    def key(self, message_ref: str) -> str:
        """The message's key within the file: interchange and message reference.

        Event ids are made from it, so two messages must never share one: a reference the
        interchange already used (many senders number every message 1) gets the message's
        position in the interchange too (``IC1/1#2``), as does every message after the first
        1,024 of an interchange. Call it once per message.
        """
        key = f"{self.ref}/{message_ref}" if self.enveloped else message_ref
        # the references are remembered for the first messages only, so memory stays flat
        # over a huge interchange: past them every key carries its position
        if self.messages > _REMEMBERED_REFS or message_ref in self.refs:
            return f"{key}#{self.messages}"
        self.refs.add(message_ref)
        return key

    @property
    def sender(self) -> str:
        """UNB S002 as written: identification, and its code qualifier after the separator."""
        return value_at(self.header, 2, 0)

    @property
    def recipient(self) -> str:
        """UNB S003 as written."""
        return value_at(self.header, 3, 0)
