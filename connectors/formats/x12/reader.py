"""``X12Format``: stream the transaction sets (ST..SE) of X12 interchanges as RawRecords.

Envelopes are checked as they close: SE01 against the segments counted and SE02 against ST02,
GE01/GE02 against the sets counted and GS06, IEA01/IEA02 against the groups and ISA13. A set
that breaks a rule is yielded as an :class:`~connectors.formats.x12.errors.X12Error` with its
raw bytes and reading goes on with the next ST; a group or interchange trailer that disagrees
is yielded as an error of its own after the sets it closes (they were already handed out: a
stream cannot take them back). Only a document whose separators cannot be read is refused.
A TA1 interchange acknowledgment between ISA and the first GS is a record of kind ``TA1``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypeAlias

from connectors.errors import RecordError
from connectors.formats.x12.errors import X12Error
from connectors.formats.x12.loops import RepeatedSegment, build_tree
from connectors.formats.x12.segments import Element, Segment, iter_segments
from connectors.formats.x12.separators import Separators, read_separators
from connectors.record import RawRecord

__all__ = ["CONTENT_TYPE", "X12Format"]

#: ``RawRecord.content_type`` of an X12 transaction set
CONTENT_TYPE = "application/edi-x12"
_BOM = b"\xef\xbb\xbf"
_HEAD = 512
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})


class X12Format:
    """Reads X12 interchanges (any version from 00200 on) one transaction set at a time."""

    name: str = "x12"

    def sniff(self, head: bytes) -> bool:
        """An X12 document starts with ``ISA`` and a separator that is not a letter or digit."""
        return len(head) > 3 and head.startswith(b"ISA") and not head[3:4].isalnum()

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each transaction set in order, or the error of one that breaks an X12 rule."""
        head = fh.read(_HEAD)
        if head.startswith(_BOM):
            head = head[len(_BOM) :]
        head = head.lstrip()
        seps, _ = read_separators(head, f"{source}, segment 1")
        reader = _Reader(source, seps)
        for segment in iter_segments(fh, seps, source, head):
            # a segment inside an open set is only appended (what ``feed`` does first): done
            # here, the nine in ten segments that are such make no generator of ``feed``
            current = reader.open_set
            if current is not None and segment.tag not in _ENVELOPE:
                current.segments.append(segment)
                continue
            yield from reader.feed(segment)
        yield from reader.finish()

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """One transaction set read again alone (the replay signature of every format);
        :class:`RecordError` when it does not parse (see :meth:`parse_message`)."""
        found = self.parse_message(data, context, source)
        if isinstance(found, RecordError):
            raise found
        return found

    def parse_message(
        self, data: bytes, context: Mapping[str, Any], source: str
    ) -> RawRecord | RecordError:
        """Read one transaction set again (a dead letter replayed) inside its envelope.

        ``context`` is the one its record or error carried: ``envelope`` holds the ISA and GS
        it was read in, so the set maps as it would have in its file (GS02, ISA06 …).
        """
        envelope = context.get("envelope")
        if not isinstance(envelope, str) or not envelope.startswith("ISA"):
            return RecordError(source, "no X12 envelope in the context: cannot read the set alone")
        seps = context["separators"]
        end = seps["segment"]
        trailer = f"GE{seps['element']}1{seps['element']}{context['group']}{end}"
        trailer += f"IEA{seps['element']}1{seps['element']}{context['interchange']}{end}"
        document = envelope.encode("utf-8") + data + trailer.encode("utf-8")
        items = list(self.messages(io.BytesIO(document), source))
        return items[0] if items else RecordError(source, "no transaction set in the bytes")


@dataclass
class _Set:
    st: Segment
    segments: list[Segment] = field(default_factory=list)


@dataclass
class _Reader:
    """The envelope state machine; ``feed`` each segment, then ``finish``."""

    source: str
    seps: Separators
    isa: Segment | None = None
    gs: Segment | None = None
    open_set: _Set | None = None
    groups: int = 0
    sets: int = 0
    #: ordinal of the current interchange in the file (control numbers may repeat)
    interchanges: int = 0

    def feed(self, seg: Segment) -> Iterator[RawRecord | RecordError]:
        tag = seg.tag
        current = self.open_set
        if current is not None:
            if tag == "SE":
                current.segments.append(seg)
                self.open_set = None
                yield self._close(current, seg)
                return
            if tag not in _ENVELOPE:
                current.segments.append(seg)
                return
            self.open_set = None
            yield self._close(current, None, interrupted_by=seg)
        if tag == "ST":
            self.sets += 1
            self.open_set = _Set(seg, [seg])
        elif tag == "GS":
            if self.gs is not None:
                yield self._group_error(seg, "3", f"GS {self._gs06} has no GE before this GS")
            self.gs, self.sets = seg, 0
            self.groups += 1
            gs06 = _text(seg, 6)
            if not (gs06.isdigit() and len(gs06) <= 9):
                yield self._group_error(
                    seg, "6", f"GS06 {gs06!r} is not a 1 to 9 digit control number", field="GS06"
                )
        elif tag == "GE":
            yield from self._close_group(seg)
        elif tag == "ISA":
            yield from self._open_interchange(seg)
        elif tag == "IEA":
            yield from self._close_interchange(seg)
        elif tag == "TA1" and self.isa is not None and self.gs is None:
            yield self._interchange_ack(seg)
        else:
            yield self._envelope_error(
                seg, f"segment {tag} outside a transaction set (no ST before it)", None
            )

    def finish(self) -> Iterator[RawRecord | RecordError]:
        if self.open_set is not None:
            yield self._close(self.open_set, None, interrupted_by=None)
            self.open_set = None
        if self.gs is not None:
            yield self._group_error(None, "3", f"GS {self._gs06} has no GE before end of file")
            self.gs = None
        if self.isa is not None:
            yield self._interchange_error(None, f"ISA {self._isa13} has no IEA before end of file")
            self.isa = None

    # -- envelopes ---------------------------------------------------------------------

    @property
    def _isa13(self) -> str:
        return _text(self.isa, 13) if self.isa is not None else "-"

    @property
    def _gs06(self) -> str:
        return _text(self.gs, 6) if self.gs is not None else "-"

    def _open_interchange(self, seg: Segment) -> Iterator[RecordError]:
        if self.gs is not None:
            yield self._group_error(seg, "3", f"GS {self._gs06} has no GE before the next ISA")
            self.gs = None
        if self.isa is not None:
            yield self._interchange_error(seg, f"ISA {self._isa13} has no IEA before the next ISA")
        # the tokenizer switched to this ISA's separators; the envelope reports them
        self.seps = seg.separators or read_separators(seg.raw, f"{self.source}, {seg.number}")[0]
        self.isa, self.groups = seg, 0
        self.interchanges += 1
        isa13 = _text(seg, 13)
        if not (isa13.isdigit() and len(isa13) == 9):
            yield self._interchange_error(
                seg, f"ISA13 {isa13!r} is not a 9 digit control number", field="ISA13"
            )

    def _interchange_ack(self, ta1: Segment) -> RawRecord:
        """A TA1 between ISA and the first GS: X12.5's interchange acknowledgment, answering
        the interchange whose ISA13 is TA101. It is no transaction set, but a record of kind
        ``TA1`` of its own, so it is named and counted, never an error (IEA01 counts only
        functional groups, so it changes no count)."""
        context = self._envelope_context("TA1")
        where = f"{self.source}, ISA13 {self._isa13}, TA1 for ISA13 {_text(ta1, 1)}"
        context |= {
            "key": f"{self._isa13}/TA1/{ta1.number}",
            "where": f"{where} (file segment {ta1.number})",
        }
        fields = {"TA1": [ta1.elements]}
        return RawRecord(ta1.raw, self.source, ta1.number, fields, CONTENT_TYPE, context)

    def _close_group(self, ge: Segment) -> Iterator[RecordError]:
        gs06, sets = self._gs06, self.sets
        if self.gs is None:
            yield self._group_error(ge, "3", "GE without a GS before it", field="GE02")
            return
        if not _same_number(_text(ge, 2), gs06):
            yield self._group_error(
                ge, "4", f"GE02 {_text(ge, 2)!r} does not match GS06 {gs06!r}", field="GE02"
            )
        elif not _same_number(_text(ge, 1), str(sets)):
            yield self._group_error(
                ge,
                "5",
                f"GE01 says {_text(ge, 1)!r} transaction sets, the group holds {sets}",
                field="GE01",
            )
        self.gs = None

    def _close_interchange(self, iea: Segment) -> Iterator[RecordError]:
        if self.gs is not None:
            yield self._group_error(iea, "3", f"GS {self._gs06} has no GE before IEA")
            self.gs = None
        isa13 = self._isa13
        if self.isa is None:
            yield self._interchange_error(iea, "IEA without an ISA before it", field="IEA02")
        elif not _same_number(_text(iea, 2), isa13):
            yield self._interchange_error(
                iea, f"IEA02 {_text(iea, 2)!r} does not match ISA13 {isa13!r}", field="IEA02"
            )
        elif not _same_number(_text(iea, 1), str(self.groups)):
            yield self._interchange_error(
                iea,
                f"IEA01 says {_text(iea, 1)!r} functional groups, the interchange holds "
                f"{self.groups}",
                field="IEA01",
            )
        self.isa = None

    def _envelope_context(self, message: str) -> dict[str, Any]:
        return {
            "message": message,
            "key": f"{self._isa13}/{self._gs06}",
            "interchange": self._isa13,
            "group": self._gs06,
            "functional_id": _text(self.gs, 1) if self.gs is not None else None,
            **self._parties(),
        }

    def _parties(self) -> dict[str, Any]:
        isa = self.isa
        return {
            "interchange_ordinal": self.interchanges,
            "sender": _text(isa, 6).strip() if isa else None,
            "sender_qualifier": _text(isa, 5) if isa else None,
            "receiver": _text(isa, 8).strip() if isa else None,
            "receiver_qualifier": _text(isa, 7) if isa else None,
            # the ISA and GS the set was read in: a replay reads it inside them again
            "envelope": (isa.raw if isa else b"").decode("utf-8", "replace")
            + (self.gs.raw if self.gs else b"").decode("utf-8", "replace"),
            "separators": {
                "element": self.seps.element,
                "component": self.seps.component,
                "segment": self.seps.segment,
                "repetition": self.seps.repetition,
            },
        }

    def _group_error(
        self, seg: Segment | None, code: str, reason: str, *, field: str | None = None
    ) -> X12Error:
        where = f"{self.source}, ISA13 {self._isa13}, GS06 {self._gs06}"
        context = self._envelope_context("GE") | {"ak9": code}
        return self._located(seg, where, reason, field, context)

    def _interchange_error(
        self, seg: Segment | None, reason: str, *, field: str | None = None
    ) -> X12Error:
        where = f"{self.source}, ISA13 {self._isa13}"
        return self._located(seg, where, reason, field, self._envelope_context("IEA"))

    def _envelope_error(self, seg: Segment, reason: str, field: str | None) -> X12Error:
        where = f"{self.source}, ISA13 {self._isa13}, GS06 {self._gs06}"
        return self._located(seg, where, reason, field, self._envelope_context(seg.tag))

    def _located(
        self,
        seg: Segment | None,
        where: str,
        reason: str,
        field: str | None,
        context: dict[str, Any],
    ) -> X12Error:
        if seg is None:
            location = f"{where}, end of file"
            return X12Error(location, reason, field=field, raw=b"", context=context)
        location = f"{where}, file segment {seg.number} {seg.tag}"
        context["where"] = location
        return X12Error(
            location, reason, field=field, raw=seg.raw, line=seg.number, context=context
        )

    # -- transaction sets ----------------------------------------------------------------

    def _close(
        self, tx: _Set, se: Segment | None, interrupted_by: Segment | None = None
    ) -> RawRecord | X12Error:
        st02 = _text(tx.st, 2)
        isa13, gs06 = self._isa13, self._gs06
        where = f"{self.source}, ISA13 {isa13}, GS06 {gs06}, ST02 {st02}"
        context: dict[str, Any] = {
            "message": _text(tx.st, 1),
            "key": f"{isa13}/{gs06}/{st02}",
            "where": where,
            "interchange": isa13,
            "group": gs06,
            "set": st02,
            "functional_id": _text(self.gs, 1) if self.gs is not None else None,
            "version": _text(self.gs, 8) if self.gs is not None else None,
            **self._parties(),
        }
        raw = b"".join([s.raw for s in tx.segments])
        problem = _check_set(tx, se, interrupted_by, self.gs is None)
        if problem is not None:
            position, code, reason, field_name, ak3, ak4 = problem
            seg = tx.segments[position - 1] if position <= len(tx.segments) else None
            tag = seg.tag if seg is not None else (interrupted_by.tag if interrupted_by else "")
            if seg is not None:
                spot = f"segment {position} {tag} (file segment {seg.number})"
            elif interrupted_by is not None:
                spot = f"segment {position} {tag} (file segment {interrupted_by.number})"
            else:
                spot = f"segment {position} (end of file)"
            context |= {"ak5": code, "segment_position": position, "segment_tag": tag}
            if ak3 is not None:
                context["ak3"] = ak3
            if ak4 is not None:
                context["ak4"] = ak4
            line = seg.number if seg is not None else None
            context["where"] = f"{where}, {spot}"
            return X12Error(
                f"{where}, {spot}", reason, field=field_name, raw=raw, line=line, context=context
            )
        context["where"] = f"{where} (file segment {tx.st.number})"
        envelope: dict[str, Any] = {"ISA": self.isa.elements if self.isa else None}
        envelope["GS"] = self.gs.elements if self.gs else None
        try:
            tree = build_tree(_text(tx.st, 1), [s.elements for s in tx.segments], envelope)
        except RepeatedSegment as exc:
            seg = tx.segments[exc.position - 1]
            spot = f"segment {exc.position} {exc.tag} (file segment {seg.number})"
            context |= {"segment_position": exc.position, "segment_tag": exc.tag}
            context["where"] = f"{where}, {spot}"
            return X12Error(f"{where}, {spot}", str(exc), raw=raw, line=seg.number, context=context)
        return RawRecord(raw, self.source, tx.st.number, tree, CONTENT_TYPE, context)


# (position in set, AK5 code, reason, field, AK3 code, AK4 (element, code, value))
_Problem: TypeAlias = tuple[int, str, str, str | None, str | None, tuple[int, str, str] | None]


def _check_set(  # noqa: PLR0911 - one return per rule, in the order a 997 reports them
    tx: _Set, se: Segment | None, interrupted_by: Segment | None, no_group: bool
) -> _Problem | None:
    st01, st02 = _text(tx.st, 1), _text(tx.st, 2)
    if not (len(st01) == 3 and st01.isdigit()):
        return (
            1,
            "6",
            f"ST01 {st01!r} is not a transaction set identifier",
            "ST01",
            "8",
            (
                1,
                "7",
                st01,
            ),
        )
    if not 4 <= len(st02) <= 9:
        return (
            1,
            "7",
            f"ST02 {st02!r} is not a 4 to 9 character control number",
            "ST02",
            "8",
            (
                2,
                "4" if len(st02) < 4 else "5",
                st02,
            ),
        )
    if no_group:
        return (
            1,
            "5",
            "transaction set outside a functional group (no GS before it)",
            None,
            "2",
            None,
        )
    for position, seg in enumerate(tx.segments, start=1):
        tag = seg.tag
        if tag not in _VALID_TAGS and not _valid_tag(tag):
            return position, "5", f"{tag!r} is not a segment identifier", None, "1", None
        if seg.bad_element is not None:
            index = seg.bad_element
            return (
                position,
                "5",
                "element bytes are not UTF-8",
                f"{tag}{index:02d}",
                "8",
                (index, "6", ""),
            )
    if se is None:
        position = len(tx.segments) + 1
        after = f"before {interrupted_by.tag}" if interrupted_by else "before end of file"
        return position, "2", f"ST {st02} has no SE trailer {after}", None, "3", None
    position = len(tx.segments)
    se01, se02 = _text(se, 1), _text(se, 2)
    if not _digits(se01):
        return position, "5", f"SE01 {se01!r} is not a number", "SE01", "8", (1, "6", se01)
    if int(se01) != position:
        return (
            position,
            "4",
            f"SE01 says {se01} segments, the set holds {position} (ST through SE)",
            "SE01",
            None,
            None,
        )
    if se02 != st02:
        return position, "3", f"SE02 {se02!r} does not match ST02 {st02!r}", "SE02", None, None
    return None


#: tags seen valid; X12 uses a few hundred, so the set stays small
_VALID_TAGS: set[str] = set()


def _valid_tag(tag: str) -> bool:
    if _TAG.fullmatch(tag) and len(_VALID_TAGS) < 4096:
        _VALID_TAGS.add(tag)
        return True
    return _TAG.fullmatch(tag) is not None


def _same_number(text: str, expected: str) -> bool:
    """Whether a count or control number says ``expected``, leading zeros or not.

    GE01, GE02, IEA01 and IEA02 are numbers (X12 type N0): ``GE*000001`` counts one set, as a
    zero-padded SE01 counts segments.
    """
    if text == expected:
        return True
    return _digits(text) and _digits(expected) and int(text) == int(expected)


def _digits(text: str) -> bool:
    # str.isdigit() alone takes '²', which int() refuses
    return text.isascii() and text.isdigit()


def _text(seg: Segment | None, index: int) -> str:
    """Element ``index`` of ``seg`` as text ("" when absent; components joined back)."""
    if seg is None or index >= len(seg.elements):
        return ""
    value: Element = seg.elements[index]
    return value if isinstance(value, str) else ">".join(value)
