"""One EDIFACT message: decoded, split, checked and arranged into the tree a spec reads.

Checks, each reported as an :class:`~.errors.EdifactError` naming the segment position (UNH
= 1), tag, element and component: text valid in the character set (UTF-8 first, then the set
UNB names), release characters, segment tags, numbers against the decimal mark
(:mod:`.numbers`), UNH's reference and type, UNT's segment count and reference.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.errors import RecordError
from connectors.formats.edifact.errors import EdifactError, SyntaxErrorCode
from connectors.formats.edifact.interchange import Interchange, counts, same_reference, value_at
from connectors.formats.edifact.numbers import NUMERIC_POSITIONS, normalise_numbers
from connectors.formats.edifact.structures import build_tree
from connectors.formats.edifact.syntax import ServiceChars
from connectors.formats.edifact.tokenizer import Segment, SegmentText, split_segment
from connectors.record import RawRecord

__all__ = ["CONTENT_TYPE", "MessageParser"]

CONTENT_TYPE = "application/EDIFACT"
"""The media type of an EDIFACT message (RFC 1767)."""

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")


class MessageParser:
    """Turns the segments of one UNH..UNT message into a RawRecord or an EdifactError."""

    def __init__(self, source: str, chars: ServiceChars) -> None:
        self.source = source
        self.chars = chars
        self.term = chars.terminator.encode("ascii")
        #: segment tags already seen to be well formed (a regex per segment costs)
        self.tags: set[str] = set()

    def own(self, segment: Segment) -> bytes:
        """A segment's own bytes: its text and terminator, without what came before it."""
        return segment.text + (self.term if segment.terminated else b"")

    def missing_trailer(
        self, segments: list[Segment], interchange: Interchange, after: str
    ) -> EdifactError:
        """The error of a message that ``after`` (a segment, or the end) cut before its UNT."""
        return _Message(self, segments, interchange).error(
            len(segments),
            "UNT",
            f"message has no UNT trailer: {after} came first",
            SyntaxErrorCode.MISSING,
        )

    def parse(
        self, segments: list[Segment], interchange: Interchange, *, first_number: int
    ) -> RawRecord | RecordError:
        """Decode, split, check and arrange one complete UNH..UNT message."""
        message = _Message(self, segments, interchange)
        texts: list[SegmentText] = []
        for position, segment in enumerate(segments, 1):
            split = self._split(message, position, segment)
            if isinstance(split, EdifactError):
                return split
            texts.append(split)
        if not message.ref:
            return message.error(
                1,
                "UNH",
                "UNH has no message reference number (0062)",
                SyntaxErrorCode.MISSING,
                element=1,
                component=1,
            )
        if not message.kind:
            return message.error(
                1,
                "UNH",
                "UNH has no message type (S009 0065)",
                SyntaxErrorCode.MISSING,
                element=2,
                component=1,
            )
        count, trailer_ref = value_at(texts[-1], 1, 1), value_at(texts[-1], 2, 1)
        position = len(texts)
        if not counts(count, position):
            why = f"UNT declares {count!r} segments, the message has {position} (UNH to UNT)"
            if counts(count, position - 2):
                why += ": the count leaves out UNH and UNT, which ISO 9735 counts"
            if not same_reference(trailer_ref, message.ref):
                why += (
                    f"; its reference {trailer_ref!r} does not match UNH's {message.ref!r} either"
                )
            return message.error(
                position,
                "UNT",
                why,
                SyntaxErrorCode.CONTROL_COUNT_DOES_NOT_MATCH,
                element=1,
                component=1,
            )
        if not same_reference(trailer_ref, message.ref):
            return message.error(
                position,
                "UNT",
                f"UNT reference {trailer_ref!r} does not match UNH reference {message.ref!r}",
                SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
                element=2,
                component=1,
            )
        tree = build_tree(message.kind, texts)
        tree["UNB"] = [interchange.header]
        context = message.context()
        if not segments[-1].terminated:
            context["warnings"].append("the last segment has no segment terminator")
        return RawRecord(message.raw(), self.source, first_number, tree, CONTENT_TYPE, context)

    def _split(
        self, message: _Message, position: int, segment: Segment
    ) -> SegmentText | EdifactError:
        """One segment decoded and split, its tag and numbers checked; or the error."""
        chars, raw = self.chars, segment.text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            fallback = message.interchange.charset
            if fallback in (None, "utf-8", "ascii"):
                element = raw[: exc.start].count(chars.element.encode("ascii"))
                return message.error(
                    position,
                    raw[:3].decode("ascii", "replace"),
                    f"byte {raw[exc.start]:#04x} is not valid in "
                    f"{message.interchange.syntax or 'UTF-8'} text",
                    SyntaxErrorCode.INVALID_CHARACTERS,
                    element=element or None,
                )
            assert fallback is not None
            text = raw.decode(fallback, "replace")
        try:
            split = split_segment(text, chars)
        except ValueError as exc:
            return message.error(
                position, text[:3], str(exc), SyntaxErrorCode.INVALID_SERVICE_CHARACTERS
            )
        tag = split[0]
        assert isinstance(tag, str)
        if tag not in self.tags:
            if not _TAG.fullmatch(tag):
                return message.error(
                    position,
                    tag[:3],
                    f"segment tag {tag!r} is not three capital letters or digits",
                    SyntaxErrorCode.INVALID_VALUE,
                )
            self.tags.add(tag)
        if tag in NUMERIC_POSITIONS:
            bad = normalise_numbers(split, chars.decimal, chars.component)
            if bad is not None:
                element, component, why = bad
                code = (
                    SyntaxErrorCode.INVALID_DECIMAL_NOTATION
                    if "decimal mark" in why
                    else SyntaxErrorCode.INVALID_TYPE_OF_CHARACTERS
                )
                return message.error(position, tag, why, code, element=element, component=component)
        return split


class _Message:
    """One message's identity (from its UNH) for its errors, context and raw bytes."""

    def __init__(
        self, parser: MessageParser, segments: list[Segment], interchange: Interchange
    ) -> None:
        self.parser = parser
        self.segments = segments
        self.interchange = interchange
        try:
            self.header = split_segment(segments[0].text.decode("utf-8", "replace"), parser.chars)
        except ValueError:
            self.header = ["UNH"]
        self.ref = value_at(self.header, 1, 1)
        self.kind = value_at(self.header, 2, 1)
        self.key = interchange.key(self.ref)

    def raw(self) -> bytes:
        """The message's bytes from UNH to UNT, as in the file."""
        first, *rest = self.segments
        return self.parser.own(first) + b"".join(s.raw for s in rest)

    def context(self) -> dict[str, Any]:
        """What a record of this message carries besides its tree (see DocumentFormat)."""
        interchange, first = self.interchange, self.segments[0]
        identifier = self.header[2] if len(self.header) > 2 else []
        return {
            "message": self.kind,
            "key": self.key,
            "where": (
                f"{self.parser.source}{interchange.where}, UNH ref {self.ref}, "
                f"segment {first.number}"
            ),
            "interchange": interchange.ref if interchange.enveloped else None,
            "message_ref": self.ref,
            "version": ":".join(str(part) for part in identifier[2:5]),
            "sender": interchange.sender,
            "recipient": interchange.recipient,
            "una": self.parser.chars.una(),
            "unb": interchange.header_text,
            "warnings": list(interchange.warnings),
        }

    def error(
        self,
        position: int,
        tag: str,
        why: str,
        code: SyntaxErrorCode,
        *,
        element: int | None = None,
        component: int | None = None,
    ) -> EdifactError:
        """The error of the segment at ``position`` (UNH = 1), with the message's raw bytes."""
        interchange, first = self.interchange, self.segments[0]
        return EdifactError(
            f"{self.parser.source}{interchange.where}, UNH ref {self.ref or '?'}, "
            f"segment {position} ({tag}, file segment {first.number + position - 1})",
            why,
            code=code,
            interchange_ref=interchange.ref if interchange.enveloped else None,
            message_ref=self.ref or None,
            message_type=self.kind or None,
            segment_position=position,
            tag=tag,
            element=element,
            component=component,
            raw=self.raw(),
            line=first.number,
            context=self.context(),
        )
