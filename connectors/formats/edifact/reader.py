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

Text: the message is decoded as UTF-8 when it is valid UTF-8 (the corpus has UTF-8 under
``UNOC``, whose ISO 8859-1 would garble it), else with the character set UNB names.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from connectors.errors import RecordError
from connectors.formats.edifact.errors import EdifactError, SyntaxErrorCode
from connectors.formats.edifact.numbers import NUMERIC_POSITIONS, normalise_numbers
from connectors.formats.edifact.structures import build_tree
from connectors.formats.edifact.syntax import DEFAULT_CHARS, ServiceChars, charset_for
from connectors.formats.edifact.tokenizer import Segment, SegmentText, iter_segments, split_segment
from connectors.record import RawRecord

__all__ = ["CONTENT_TYPE", "EdifactFormat", "Interchange"]

CONTENT_TYPE = "application/EDIFACT"
"""The media type of an EDIFACT message (RFC 1767)."""

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_HEAD = 4096
_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Interchange:
    """What the reader knows of the interchange it is in (from UNB)."""

    ref: str
    header: SegmentText
    syntax: str
    charset: str | None
    chars: ServiceChars
    header_text: str = ""
    """UNB as written (without terminator), so a message can be parsed again on its own."""
    messages: int = 0
    group_ref: str | None = None
    group_messages: int = 0
    groups: int = 0

    @property
    def sender(self) -> str:
        """UNB S002 as written: identification, and its code qualifier after the separator."""
        return _value(self.header, 2, 0)

    @property
    def recipient(self) -> str:
        """UNB S003 as written."""
        return _value(self.header, 3, 0)


@dataclass(slots=True)
class _Message:
    segments: list[Segment] = field(default_factory=list)


def _value(segment: SegmentText, element: int, component: int) -> str:
    """The text at (element, component), 1-based (component 0: the whole element); or ``""``."""
    if element >= len(segment):
        return ""
    parts = segment[element]
    return parts[component] if component < len(parts) else ""


class EdifactFormat:
    """Reads UN/EDIFACT interchanges (syntax 3 and 4, any directory) message by message."""

    #: the ``source.format`` of the specs that read it
    name: str = "edifact"

    def sniff(self, head: bytes) -> bool:
        """An interchange opens with the UNA advice or the UNB header."""
        return head[:3] in (b"UNA", b"UNB") and len(head) > 3 and not head[3:4].isalnum()

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each UNH..UNT message in file order, or the error of one that breaks a rule."""
        head = fh.read(_HEAD)
        offset = len(head) - len(head.removeprefix(_BOM).lstrip())
        head = head[offset:]
        chars = DEFAULT_CHARS
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
        yield from _Reader(source, chars).run(iter_segments(fh, chars, start=head, offset=offset))

    def parse_record(
        self, data: bytes, context: dict[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one message's bytes again (a dead letter replayed) with its interchange context."""
        chars = ServiceChars.from_una(str(context.get("una", DEFAULT_CHARS.una())).encode())
        unb = str(context.get("unb") or "")
        reader = _Reader(source, chars)
        reader.start_interchange_from_text(unb)
        segments = list(iter_segments(io.BytesIO(data), chars))
        result = reader.finish(_Message(segments), first_number=line)
        if isinstance(result, RecordError):
            raise result
        return result


class _Reader:
    """The envelope state machine over one file's segments."""

    def __init__(self, source: str, chars: ServiceChars) -> None:
        self.source = source
        self.chars = chars
        self.term = chars.terminator.encode("ascii")
        self.interchange: Interchange | None = None
        self.message: _Message | None = None
        self.pending: RawRecord | RecordError | None = None
        #: segment tags already seen to be well formed (a regex per segment costs)
        self.tags: set[str] = set()

    def _known_tag(self, tag: str) -> bool:
        if _TAG.fullmatch(tag):
            self.tags.add(tag)
            return True
        return False

    # -- envelope ---------------------------------------------------------------------------

    def run(self, segments: Iterator[Segment]) -> Iterator[RawRecord | RecordError]:
        element_sep = self.chars.element.encode("ascii")
        for segment in segments:
            text = segment.text
            tag = text[:3]
            service = tag[:2] == b"UN" and text[3:4] in (element_sep, b"")
            # a UNB while an interchange is open means its UNZ is missing: the held message
            # gets the warning first (service_segment), so it is not handed out yet
            if self.pending is not None and not (tag == b"UNB" and self.interchange is not None):
                yield self.pending
                self.pending = None
            if self.message is not None:
                if service and tag in (b"UNH", b"UNZ", b"UNB", b"UNE", b"UNG"):
                    yield self.missing_unt(segment)
                else:
                    self.message.segments.append(segment)
                    if service and tag == b"UNT":
                        message, self.message = self.message, None
                        self.pending = self.finish(message, first_number=message.segments[0].number)
                    continue
            yield from self.service_segment(segment, tag if service else b"")
        if self.message is not None:
            yield self.missing_unt(None)
        if self.interchange is not None:
            self.warn_missing_unz()
        if self.pending is not None:
            yield self.pending
            self.pending = None

    def service_segment(self, segment: Segment, tag: bytes) -> Iterator[RawRecord | RecordError]:
        """Handle a segment between messages: an envelope segment, or one out of place."""
        if tag == b"UNH":
            self.require_interchange(segment)
            self.message = _Message([segment])
        elif tag == b"UNB":
            if self.interchange is not None:
                self.warn_missing_unz()
                if self.pending is not None:
                    yield self.pending
                    self.pending = None
            self.start_interchange(segment)
        elif tag == b"UNZ":
            yield from self.end_interchange(segment)
        elif tag == b"UNG":
            self.require_interchange(segment)
            assert self.interchange is not None
            header = self.split_service(segment)
            self.interchange.group_ref = _value(header, 5, 1)
            self.interchange.group_messages = 0
            self.interchange.groups += 1
        elif tag == b"UNE":
            yield from self.end_group(segment)
        else:  # data outside a message, a stray UNT …
            yield self.outside(segment)

    def require_interchange(self, segment: Segment) -> None:
        if self.interchange is None:
            raise EdifactError(
                f"{self.source}, segment {segment.number}",
                f"{segment.text[:3].decode('ascii', 'replace')} before any UNB interchange header",
                code=SyntaxErrorCode.MISSING,
                interchange_ref=None,
                message_ref=None,
                message_type=None,
                segment_position=None,
                tag="UNB",
                raw=self._own(segment),
            )

    def split_service(self, segment: Segment) -> SegmentText:
        return split_segment(segment.text.decode("utf-8", "replace"), self.chars)

    def start_interchange(self, segment: Segment) -> None:
        header = self.split_service(segment)
        ref = _value(header, 5, 1)
        if not ref:
            raise EdifactError(
                f"{self.source}, segment {segment.number} (UNB)",
                "UNB has no interchange control reference (0020)",
                code=SyntaxErrorCode.MISSING,
                interchange_ref=None,
                message_ref=None,
                message_type=None,
                segment_position=None,
                tag="UNB",
                element=5,
                component=1,
                raw=self._own(segment),
            )
        self.interchange = self._interchange(header, ref, segment.text.decode("utf-8", "replace"))

    def start_interchange_from_text(self, text: str) -> None:
        header: SegmentText = split_segment(text, self.chars) if text else ["UNB"]
        self.interchange = self._interchange(header, _value(header, 5, 1) or "?", text)

    def _interchange(self, header: SegmentText, ref: str, text: str) -> Interchange:
        syntax_id = _value(header, 1, 1)
        syntax = header[1][0] if len(header) > 1 else ""
        assert isinstance(syntax, str)
        return Interchange(ref, header, syntax, charset_for(syntax_id), self.chars, text)

    def warn_missing_unz(self) -> None:
        interchange = self.interchange
        assert interchange is not None
        if isinstance(self.pending, RawRecord):
            warnings = self.pending.context["warnings"]
            warnings.append(
                f"interchange {interchange.ref} ends without UNZ: its message count "
                f"({interchange.messages} read) could not be checked"
            )
        self.interchange = None

    def end_interchange(self, segment: Segment) -> Iterator[RecordError]:
        interchange = self.interchange
        if interchange is None:
            yield self.outside(segment)
            return
        self.interchange = None
        trailer = self.split_service(segment)
        count, ref = _value(trailer, 1, 1), _value(trailer, 2, 1)
        # UNZ counts the functional groups when there are any, else the messages.
        counted = interchange.groups or interchange.messages
        what = "functional groups" if interchange.groups else "messages"
        problem = None
        if ref != interchange.ref:
            problem = (
                2,
                SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
                f"UNZ reference {ref!r} does not match UNB reference {interchange.ref!r}",
            )
        elif count != str(counted) and (not count.isdigit() or int(count) != counted):
            problem = (
                1,
                SyntaxErrorCode.CONTROL_COUNT_DOES_NOT_MATCH,
                f"UNZ declares {count!r} {what}, the interchange holds {counted}",
            )
        if problem is not None:
            element, code, why = problem
            yield EdifactError(
                f"{self.source}, UNB ref {interchange.ref}, segment {segment.number} (UNZ)",
                why,
                code=code,
                interchange_ref=interchange.ref,
                message_ref=None,
                message_type=None,
                segment_position=None,
                tag="UNZ",
                element=element,
                component=None,
                raw=self._own(segment),
                line=segment.number,
                context={
                    "message": "UNZ",
                    "key": f"{interchange.ref}/UNZ",
                    "where": self.source,
                    "interchange": interchange.ref,
                    "sender": interchange.sender,
                    "recipient": interchange.recipient,
                },
            )

    def end_group(self, segment: Segment) -> Iterator[RecordError]:
        interchange = self.interchange
        if interchange is None or interchange.group_ref is None:
            yield self.outside(segment)
            return
        trailer = self.split_service(segment)
        count, ref = _value(trailer, 1, 1), _value(trailer, 2, 1)
        why = None
        code = SyntaxErrorCode.REFERENCES_DO_NOT_MATCH
        if ref != interchange.group_ref:
            why = f"UNE reference {ref!r} does not match UNG reference {interchange.group_ref!r}"
        elif not count.isdigit() or int(count) != interchange.group_messages:
            code = SyntaxErrorCode.CONTROL_COUNT_DOES_NOT_MATCH
            why = f"UNE declares {count!r} messages, the group holds {interchange.group_messages}"
        interchange.group_ref = None
        if why is not None:
            yield EdifactError(
                f"{self.source}, UNB ref {interchange.ref}, segment {segment.number} (UNE)",
                why,
                code=code,
                interchange_ref=interchange.ref,
                message_ref=None,
                message_type=None,
                segment_position=None,
                tag="UNE",
                raw=self._own(segment),
                line=segment.number,
                context={
                    "message": "UNE",
                    "key": f"{interchange.ref}/UNE/{ref}",
                    "where": self.source,
                },
            )

    def outside(self, segment: Segment) -> EdifactError:
        tag = segment.text[:3].decode("ascii", "replace")
        ref = self.interchange.ref if self.interchange else None
        where = f", UNB ref {ref}" if ref else ""
        return EdifactError(
            f"{self.source}{where}, segment {segment.number} ({tag})",
            f"segment {tag} outside any UNH..UNT message",
            code=SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION,
            interchange_ref=ref,
            message_ref=None,
            message_type=None,
            segment_position=None,
            tag=tag,
            raw=self._own(segment),
            line=segment.number,
            context={
                "message": tag,
                "key": f"{ref}/segment-{segment.number}",
                "where": f"{self.source}{where}, segment {segment.number}",
            },
        )

    def missing_unt(self, next_segment: Segment | None) -> EdifactError:
        message = self.message
        assert message is not None
        assert self.interchange is not None
        self.message = None
        self.interchange.messages += 1
        self.interchange.group_messages += 1
        first = message.segments[0]
        header = self._header(first)
        ref, kind = _value(header, 1, 1), _value(header, 2, 1)
        after = (
            f"{next_segment.text[:3].decode('ascii', 'replace')} at file segment "
            f"{next_segment.number}"
            if next_segment is not None
            else "the end of the file"
        )
        return self._error(
            message,
            ref,
            kind,
            len(message.segments),
            "UNT",
            f"message has no UNT trailer: {after} came first",
            SyntaxErrorCode.MISSING,
        )

    # -- one message --------------------------------------------------------------------------

    def _header(self, first: Segment) -> SegmentText:
        try:
            return split_segment(first.text.decode("utf-8", "replace"), self.chars)
        except ValueError:
            return ["UNH"]

    def _own(self, segment: Segment) -> bytes:
        """A segment's own bytes: its text and terminator, without the line break before it."""
        return segment.text + (self.term if segment.terminated else b"")

    def _raw(self, message: _Message) -> bytes:
        first = message.segments[0]
        return self._own(first) + b"".join(s.raw for s in message.segments[1:])

    def _where(self, ref: str, first: Segment) -> str:
        interchange = self.interchange
        assert interchange is not None
        return f"{self.source}, UNB ref {interchange.ref}, UNH ref {ref}, segment {first.number}"

    def _error(  # noqa: PLR0917 - one call per broken rule, read as a sentence
        self,
        message: _Message,
        ref: str,
        kind: str,
        position: int,
        tag: str,
        why: str,
        code: SyntaxErrorCode,
        element: int | None = None,
        component: int | None = None,
    ) -> EdifactError:
        interchange = self.interchange
        assert interchange is not None
        first = message.segments[0]
        file_segment = first.number + position - 1
        return EdifactError(
            f"{self.source}, UNB ref {interchange.ref}, UNH ref {ref or '?'}, "
            f"segment {position} ({tag}, file segment {file_segment})",
            why,
            code=code,
            interchange_ref=interchange.ref,
            message_ref=ref or None,
            message_type=kind or None,
            segment_position=position,
            tag=tag,
            element=element,
            component=component,
            raw=self._raw(message),
            line=first.number,
            context=self._context(ref, kind, first, header=self._header(first)),
        )

    def _context(
        self, ref: str, kind: str, first: Segment, header: SegmentText | None
    ) -> dict[str, Any]:
        interchange = self.interchange
        assert interchange is not None
        version = (
            ":".join(str(header[2][i]) for i in (2, 3, 4) if len(header[2]) > i)
            if header is not None and len(header) > 2
            else ""
        )
        return {
            "message": kind,
            "key": f"{interchange.ref}/{ref}",
            "where": self._where(ref, first),
            "interchange": interchange.ref,
            "message_ref": ref,
            "version": version,
            "sender": interchange.sender,
            "recipient": interchange.recipient,
            "una": self.chars.una(),
            "unb": interchange.header_text,
            "warnings": [],
        }

    def finish(  # noqa: PLR0911 - one return per rule a message can break
        self, message: _Message, *, first_number: int
    ) -> RawRecord | RecordError:
        """Decode, split, check and arrange one complete UNH..UNT message."""
        interchange = self.interchange
        assert interchange is not None
        interchange.messages += 1
        interchange.group_messages += 1
        chars = self.chars
        first = message.segments[0]
        header = self._header(first)
        ref, kind = _value(header, 1, 1), _value(header, 2, 1)
        fallback = interchange.charset
        if fallback in ("utf-8", "ascii"):
            fallback = None
        texts: list[SegmentText] = []
        for position, segment in enumerate(message.segments, 1):
            raw = segment.text
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if fallback is None:
                    element = raw[: exc.start].count(chars.element.encode("ascii"))
                    return self._error(
                        message,
                        ref,
                        kind,
                        position,
                        raw[:3].decode("ascii", "replace"),
                        f"byte {raw[exc.start]:#04x} is not valid in "
                        f"{interchange.syntax or 'UTF-8'} text",
                        SyntaxErrorCode.INVALID_CHARACTERS,
                        element=element or None,
                    )
                text = raw.decode(fallback, "replace")
            try:
                split = split_segment(text, chars)
            except ValueError as exc:
                return self._error(
                    message,
                    ref,
                    kind,
                    position,
                    text[:3],
                    str(exc),
                    SyntaxErrorCode.INVALID_SERVICE_CHARACTERS,
                )
            tag = split[0]
            assert isinstance(tag, str)
            if tag not in self.tags and not self._known_tag(tag):
                return self._error(
                    message,
                    ref,
                    kind,
                    position,
                    tag[:3],
                    f"segment tag {tag!r} is not three capital letters or digits",
                    SyntaxErrorCode.INVALID_VALUE,
                )
            bad = (
                normalise_numbers(split, chars.decimal, chars.component)
                if tag in NUMERIC_POSITIONS
                else None
            )
            if bad is not None:
                element, component, why = bad
                code = (
                    SyntaxErrorCode.INVALID_DECIMAL_NOTATION
                    if "decimal mark" in why
                    else SyntaxErrorCode.INVALID_TYPE_OF_CHARACTERS
                )
                return self._error(
                    message,
                    ref,
                    kind,
                    position,
                    tag,
                    why,
                    code,
                    element=element,
                    component=component,
                )
            texts.append(split)
        if not ref:
            return self._error(
                message,
                ref,
                kind,
                1,
                "UNH",
                "UNH has no message reference number (0062)",
                SyntaxErrorCode.MISSING,
                element=1,
                component=1,
            )
        if not kind:
            return self._error(
                message,
                ref,
                kind,
                1,
                "UNH",
                "UNH has no message type (S009 0065)",
                SyntaxErrorCode.MISSING,
                element=2,
                component=1,
            )
        trailer = texts[-1]
        count, trailer_ref = _value(trailer, 1, 1), _value(trailer, 2, 1)
        position = len(texts)
        if count != str(position) and (not count.isdigit() or int(count) != position):
            return self._error(
                message,
                ref,
                kind,
                position,
                "UNT",
                f"UNT declares {count!r} segments, the message has {position} (UNH to UNT)",
                SyntaxErrorCode.CONTROL_COUNT_DOES_NOT_MATCH,
                element=1,
                component=1,
            )
        if trailer_ref != ref:
            return self._error(
                message,
                ref,
                kind,
                position,
                "UNT",
                f"UNT reference {trailer_ref!r} does not match UNH reference {ref!r}",
                SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
                element=2,
                component=1,
            )
        tree = build_tree(kind, texts)
        tree["UNB"] = [interchange.header]
        context = self._context(ref, kind, first, texts[0])
        if not message.segments[-1].terminated:
            context["warnings"].append("the last segment has no segment terminator")
        return RawRecord(self._raw(message), self.source, first_number, tree, CONTENT_TYPE, context)
