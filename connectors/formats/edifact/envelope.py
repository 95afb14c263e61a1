"""The interchange envelope: UNB/UNZ, UNG/UNE and UNH..UNT framing over a file's segments.

It counts and checks the envelope (UNZ and UNE counts and references), hands each complete
message to :class:`~.message.MessageParser`, and turns what does not fit (a message cut before
its UNT, a segment outside any message) into errors that name the place. A missing UNZ is a
warning on the interchange's last message, which is therefore held until the next segment.
Messages sent without any UNB are read as one interchange without envelope, each with a
warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from connectors.errors import RecordError
from connectors.formats.edifact.errors import EdifactError, SyntaxErrorCode
from connectors.formats.edifact.interchange import Interchange, counts, same_reference, value_at
from connectors.formats.edifact.message import MessageParser
from connectors.formats.edifact.syntax import ServiceChars, charset_for
from connectors.formats.edifact.tokenizer import Segment, SegmentText, split_segment
from connectors.record import RawRecord

__all__ = ["EnvelopeReader"]


class EnvelopeReader:
    """The envelope state machine over one file's segments."""

    def __init__(self, source: str, chars: ServiceChars, *, notes: list[str] | None = None) -> None:
        self.source = source
        self.chars = chars
        #: warnings about the whole file (undeclared delimiters), given to every interchange
        self.notes = list(notes or ())
        self.parser = MessageParser(source, chars)
        self.interchange: Interchange | None = None
        #: the segments of the open message, from its UNH
        self.message: list[Segment] | None = None
        #: a finished message held until the next segment shows whether UNZ is missing
        self.pending: RawRecord | RecordError | None = None

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
                    self.message.append(segment)
                    if service and tag == b"UNT":
                        message, self.message = self.message, None
                        self.pending = self.finish(message)
                    continue
            yield from self.service_segment(segment, tag if service else b"")
        if self.message is not None:
            yield self.missing_unt(None)
        if self.interchange is not None and self.interchange.enveloped:
            self.warn_missing_unz()
        if self.pending is not None:
            yield self.pending
            self.pending = None

    def service_segment(self, segment: Segment, tag: bytes) -> Iterator[RawRecord | RecordError]:
        """Handle a segment between messages: an envelope segment, or one out of place."""
        if tag == b"UNH":
            if self.interchange is None:
                self.interchange = self.unenveloped()
            self.message = [segment]
        elif tag == b"UNB":
            if self.interchange is not None and not self.interchange.enveloped:
                self.interchange = None
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
            self.interchange.group_ref = value_at(header, 5, 1)
            self.interchange.group_messages = 0
            self.interchange.groups += 1
        elif tag == b"UNE":
            yield from self.end_group(segment)
        else:  # data outside a message, a stray UNT …
            yield self.outside(segment)

    def unenveloped(self) -> Interchange:
        """The stand-in interchange of messages sent without UNB (see the reader's notes)."""
        interchange = Interchange("", ["UNB"], "", None, self.chars, "", enveloped=False)
        interchange.warnings += self.notes
        interchange.warnings.append(
            "the message came without UNB interchange header (ISO 9735 makes UNB/UNZ "
            "mandatory): its sender, recipient and interchange reference are unknown"
        )
        return interchange

    def require_interchange(self, segment: Segment) -> None:
        if self.interchange is None or not self.interchange.enveloped:
            raise EdifactError(
                f"{self.source}, segment {segment.number}",
                f"{segment.text[:3].decode('ascii', 'replace')} before any UNB interchange header",
                code=SyntaxErrorCode.MISSING,
                interchange_ref=None,
                message_ref=None,
                message_type=None,
                segment_position=None,
                tag="UNB",
                raw=self.parser.own(segment),
            )

    def split_service(self, segment: Segment) -> SegmentText:
        """An envelope segment split; a dangling release character at its end is dropped."""
        text = segment.text.decode("utf-8", "replace")
        try:
            return split_segment(text, self.chars)
        except ValueError:  # only a last, unterminated segment can end with a lone release
            return split_segment(text[:-1], self.chars)

    def start_interchange(self, segment: Segment) -> None:
        header = self.split_service(segment)
        ref = value_at(header, 5, 1)
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
                raw=self.parser.own(segment),
            )
        self.interchange = self._interchange(header, ref, segment.text.decode("utf-8", "replace"))

    def start_interchange_from_text(self, text: str) -> None:
        """The interchange of a message parsed again alone (``text`` is its UNB, or empty)."""
        if not text:
            self.interchange = self.unenveloped()
            return
        header: SegmentText = split_segment(text, self.chars)
        self.interchange = self._interchange(header, value_at(header, 5, 1) or "?", text)

    def _interchange(self, header: SegmentText, ref: str, text: str) -> Interchange:
        syntax_id = value_at(header, 1, 1)
        syntax = header[1][0] if len(header) > 1 else ""
        assert isinstance(syntax, str)
        interchange = Interchange(ref, header, syntax, charset_for(syntax_id), self.chars, text)
        interchange.warnings += self.notes
        return interchange

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
        if interchange is None or not interchange.enveloped:
            yield self.outside(segment)
            return
        self.interchange = None
        trailer = self.split_service(segment)
        count, ref = value_at(trailer, 1, 1), value_at(trailer, 2, 1)
        # UNZ counts the functional groups when there are any, else the messages.
        counted = interchange.groups or interchange.messages
        what = "functional groups" if interchange.groups else "messages"
        problem = None
        if not same_reference(ref, interchange.ref):
            problem = (
                2,
                SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
                f"UNZ reference {ref!r} does not match UNB reference {interchange.ref!r}",
            )
        elif not counts(count, counted):
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
                raw=self.parser.own(segment),
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
        count, ref = value_at(trailer, 1, 1), value_at(trailer, 2, 1)
        why = None
        code = SyntaxErrorCode.REFERENCES_DO_NOT_MATCH
        if not same_reference(ref, interchange.group_ref):
            why = f"UNE reference {ref!r} does not match UNG reference {interchange.group_ref!r}"
        elif not counts(count, interchange.group_messages):
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
                raw=self.parser.own(segment),
                line=segment.number,
                context={
                    "message": "UNE",
                    "key": f"{interchange.ref}/UNE/{ref}",
                    "where": self.source,
                },
            )

    def outside(self, segment: Segment) -> EdifactError:
        tag = segment.text[:3].decode("ascii", "replace")
        interchange = self.interchange
        ref = interchange.ref if interchange is not None and interchange.enveloped else None
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
            raw=self.parser.own(segment),
            line=segment.number,
            context={
                "message": tag,
                "key": f"{ref}/segment-{segment.number}",
                "where": f"{self.source}{where}, segment {segment.number}",
            },
        )

    def missing_unt(self, next_segment: Segment | None) -> EdifactError:
        """The error of the open message, cut by ``next_segment`` (or the end of the file)."""
        message, interchange = self.message, self.interchange
        assert message is not None
        assert interchange is not None
        self.message = None
        interchange.messages += 1
        interchange.group_messages += 1
        after = (
            f"{next_segment.text[:3].decode('ascii', 'replace')} at file segment "
            f"{next_segment.number}"
            if next_segment is not None
            else "the end of the file"
        )
        return self.parser.missing_trailer(message, interchange, after)

    def finish(self, message: list[Segment]) -> RawRecord | RecordError:
        """Count and parse one complete UNH..UNT message."""
        interchange = self.interchange
        assert interchange is not None
        interchange.messages += 1
        interchange.group_messages += 1
        return self.parser.parse(message, interchange, first_number=message[0].number)
