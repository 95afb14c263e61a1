"""The EDIFACT document format: interchanges in, one RawRecord (or error) per UNH..UNT message.

Why not pydifact, which the issue suggests looking at first: pydifact 0.2.3 parses a whole
interchange given as one ``str`` (``Parser.parse(message: str)``), so a 500 MB file would sit
in memory as text; it tokenizes one character at a time in Python (about 0.5 MB/s here); its
segments carry no byte offsets, so a message's raw bytes and file position are lost; it warns
once per segment (``MissingImplementationWarning``), and a last segment without terminator
stops it with "Unexpected end of EDI messages" and no position. The syntax itself is small —
six service characters and a release rule — so :mod:`.tokenizer` cuts segments from the byte
stream with ``bytes.split`` (C speed) and only walks characters in segments that hold a
release character.

Envelope checks: UNT's segment count and reference against UNH, UNZ's message count and
reference against UNB (UNE against UNG when functional groups are used). A message that fails
its own checks is yielded as an :class:`~.errors.EdifactError` with its raw bytes and the
reader goes on. A failed UNZ/UNE check is also yielded as an error (with the trailer's bytes):
the messages before it were each complete and checked, but someone must look at the gap.

A missing UNZ is tolerated, with a warning in the last message's ``context["warnings"]``: the
trailer carries no data and every message is framed and counted by its own UNH/UNT, so only a
message lost *after* the last complete one could go unnoticed; refusing would dead-letter good
orders because a sender never writes UNZ (two of the corpus samples do not). To put the
warning on the last message the reader holds each finished message until it sees the next
segment (one message of look-ahead).

A message sent without interchange envelope (UNA, then UNH..UNT, no UNB/UNZ) is read, with a
warning on each message. ISO 9735 makes UNB/UNZ mandatory in an interchange, but the message
itself is complete and checked by its own UNH/UNT; what is lost is only the sender, the
recipient and the interchange reference, so refusing it would help nobody. A UNB written with
delimiters that no UNA declares is read as the UNB shows them, with a warning
(:func:`~.syntax.chars_from_unb`). Control references that differ only by leading zeros
(``UNZ+1+00000916`` after ``UNB…+00000000000916``) match: senders pad numeric counters.

Text: the message is decoded as UTF-8 when it is valid UTF-8 (the corpus has UTF-8 under
``UNOC``, whose ISO 8859-1 would garble it), else with the character set UNB names.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from connectors.errors import RecordError
from connectors.formats.edifact.envelope import EnvelopeReader
from connectors.formats.edifact.errors import EdifactError, SyntaxErrorCode
from connectors.formats.edifact.syntax import (
    DEFAULT_CHARS,
    LEVEL_B_CHARS,
    ServiceChars,
    chars_from_unb,
)
from connectors.formats.edifact.tokenizer import iter_segments
from connectors.record import RawRecord

__all__ = ["EdifactFormat"]

_HEAD = 4096
_BOM = b"\xef\xbb\xbf"
#: what an EDIFACT document starts with: the service string advice, the interchange header, or
#: (a message sent without interchange envelope) the message header
_OPENINGS = (b"UNA", b"UNB", b"UNH")


class EdifactFormat:
    """Reads UN/EDIFACT interchanges (syntax 3 and 4, any directory) message by message."""

    #: the ``source.format`` of the specs that read it
    name: str = "edifact"

    def sniff(self, head: bytes) -> bool:
        """An interchange opens with the UNA advice or the UNB header; a bare message with UNH."""
        return head[:3] in _OPENINGS and len(head) > 3 and not head[3:4].isalnum()

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each UNH..UNT message in file order, or the error of one that breaks a rule."""
        head = fh.read(_HEAD)
        offset = len(head) - len(head.removeprefix(_BOM).lstrip())
        head = head[offset:]
        chars = DEFAULT_CHARS
        notes: list[str] = []
        if head[:3] == b"UNA":
            while len(head) < 9:
                more = fh.read(9 - len(head))
                if not more:
                    break
                head += more
            try:
                chars = ServiceChars.from_una(head[:9])
            except ValueError as exc:
                raise EdifactError(
                    f"{source}, segment UNA",
                    str(exc),
                    code=SyntaxErrorCode.INVALID_SERVICE_CHARACTERS,
                    interchange_ref=None,
                    message_ref=None,
                    message_type=None,
                    segment_position=None,
                    tag="UNA",
                    raw=head[:9],
                ) from None
            head, offset = head[9:], offset + 9
        elif head[:3] == b"UNB" and (shown := chars_from_unb(head)) is not None:
            chars = shown
            if shown is not LEVEL_B_CHARS:
                notes.append(
                    "no UNA service string advice declares the delimiters this interchange uses: "
                    f"read as the UNB header shows them (component {shown.component!r}, "
                    f"element {shown.element!r}, terminator {shown.terminator!r})"
                )
        reader = EnvelopeReader(source, chars, notes=notes)
        yield from reader.run(iter_segments(fh, chars, start=head, offset=offset, source=source))

    def parse_record(
        self, data: bytes, context: dict[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one message's bytes again (a dead letter replayed) with its interchange context."""
        chars = ServiceChars.from_una(str(context.get("una", DEFAULT_CHARS.una())).encode())
        unb = str(context.get("unb") or "")
        reader = EnvelopeReader(source, chars)
        reader.start_interchange_from_text(unb)
        segments = list(iter_segments(io.BytesIO(data), chars))
        assert reader.interchange is not None
        result = reader.parser.parse(segments, reader.interchange, first_number=line)
        if isinstance(result, RecordError):
            raise result
        return result
