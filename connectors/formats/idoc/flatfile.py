"""SAP IDoc flat files: the fixed-width text form a file port writes (record types version 3).

Each IDoc is a control record ``EDI_DC40`` (524 characters: ``TABNAM`` "EDI_DC40", ``DOCNUM``,
``IDOCTYP``, ``MESTYP``, partners…) followed by its data records ``EDI_DD40``, one per line:
``SEGNAM`` (30 characters: the segment type ``E1EDK01`` or definition ``E2EDK01005``),
``MANDT`` (3), ``DOCNUM`` (16), ``SEGNUM`` (6), ``PSGNUM`` (6, the number of the parent
segment, ``000000`` at the top), ``HLEVEL`` (2) and ``SDATA`` (up to 1000: the segment's fields
at fixed widths). The next ``EDI_DC40`` line starts the next IDoc. Systems trim the blanks at
the end of a record, so short lines are read as if padded.

Each IDoc becomes the same element tree as its XML form (control record fields and segments
nested by ``PSGNUM``, blank fields left out, as SAP's XML port leaves them out), so one set of
specs reads both. ``SDATA`` is split by the layouts in :mod:`connectors.formats.idoc.segments`;
a segment type without a known layout keeps its raw ``SDATA`` and is named in the IDoc's
location, so a mapping that misses one of its fields says why.

The older release 2/3 layout (``EDI_DC`` / ``EDI_DD``, 10-character segment names) is refused
with that reason: its record widths differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from connectors.errors import RecordError
from connectors.formats.idoc.segments import nest, segment, segment_type
from connectors.formats.limits import CappedReader

__all__ = [
    "CONTROL_FIELDS",
    "FlatIdoc",
    "is_flat_file",
    "parse_flat_idoc",
    "read_flat_file",
]

#: EDI_DC40, the control record of record types version 3 (SAP release 4.0 and later)
CONTROL_FIELDS: tuple[tuple[str, int], ...] = (
    ("TABNAM", 10), ("MANDT", 3), ("DOCNUM", 16), ("DOCREL", 4), ("STATUS", 2),
    ("DIRECT", 1), ("OUTMOD", 1), ("EXPRSS", 1), ("TEST", 1), ("IDOCTYP", 30),
    ("CIMTYP", 30), ("MESTYP", 30), ("MESCOD", 3), ("MESFCT", 3), ("STD", 1),
    ("STDVRS", 6), ("STDMES", 6), ("SNDPOR", 10), ("SNDPRT", 2), ("SNDPFC", 2),
    ("SNDPRN", 10), ("SNDSAD", 21), ("SNDLAD", 70), ("RCVPOR", 10), ("RCVPRT", 2),
    ("RCVPFC", 2), ("RCVPRN", 10), ("RCVSAD", 21), ("RCVLAD", 70), ("CREDAT", 8),
    ("CRETIM", 6), ("REFINT", 14), ("REFGRP", 14), ("REFMES", 14), ("ARCKEY", 70),
    ("SERIAL", 20),
)  # fmt: skip
_CONTROL = b"EDI_DC40"
#: a UTF-8 byte order mark, which Windows middleware puts before the first record
_BOM = b"\xef\xbb\xbf"
_OLD_CONTROL = b"EDI_DC"
# EDI_DD40: SEGNAM 0-30, MANDT 30-33, DOCNUM 33-49, SEGNUM 49-55, PSGNUM 55-61, HLEVEL 61-63
_SEGNUM, _PSGNUM, _SDATA = slice(49, 55), slice(55, 61), 63


@dataclass(frozen=True, slots=True)
class FlatIdoc:
    """One IDoc of a flat file: its records' bytes, first line and element tree (or error)."""

    data: bytes
    line: int
    idoc: etree._Element | RecordError
    #: segment types kept as raw SDATA because their layout is not known
    unread: tuple[str, ...] = ()


def is_flat_file(head: bytes) -> bool:
    """Whether ``head`` opens with an IDoc control record (``EDI_DC40``, or the old ``EDI_DC``)."""
    return head.startswith(_OLD_CONTROL)


def read_flat_file(fh: BinaryIO, source: str) -> Iterator[FlatIdoc]:
    """Each IDoc of a flat file, streamed: the control record and the data records after it."""
    lines: list[bytes] = []
    first = 0
    # a line or a file without end is refused at its cap, not held in memory
    for number, raw in enumerate(CappedReader(fh, source), 1):
        record = raw.rstrip(b"\r\n")
        if not lines:  # the mark says how the text is encoded; it is not part of a record
            record = record.removeprefix(_BOM)
        if not record.strip():
            continue
        if record.startswith(_OLD_CONTROL) and not record.startswith(_CONTROL):
            raise RecordError(
                f"{source}:line {number}",
                "IDoc flat file in the release 2/3 record layout (EDI_DC/EDI_DD): only record "
                "types version 3 (EDI_DC40/EDI_DD40, SAP release 4.0 and later) are read; set "
                "the port's record type version to 3, or send the IDoc as XML",
                line=number,
            )
        if record.startswith(_CONTROL):
            if lines:
                yield parse_flat_idoc(b"\n".join(lines), source, first)
            lines, first = [record], number
        elif not lines:
            raise RecordError(
                f"{source}:line {number}",
                "IDoc flat file: a data record before any EDI_DC40 control record",
                raw=record,
                line=number,
            )
        else:
            lines.append(record)
    if lines:
        yield parse_flat_idoc(b"\n".join(lines), source, first)


def _decode(data: bytes) -> str:
    # fixed widths count characters: a Unicode system writes UTF-8, an older one a Latin code page
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _fields(
    parent: etree._Element, text: str, layout: tuple[tuple[str, int], ...], start: int = 0
) -> None:
    pos = start
    for name, length in layout:
        value = text[pos : pos + length].strip()
        pos += length
        if value:
            etree.SubElement(parent, name).text = value


def parse_flat_idoc(data: bytes, source: str, line: int) -> FlatIdoc:
    """One IDoc's records (control record first) as the element tree of its XML form."""
    records = _decode(data).split("\n")
    idoc = etree.Element("IDOC", BEGIN="1")
    control = etree.SubElement(idoc, "EDI_DC40", SEGMENT="1")
    _fields(control, records[0], CONTROL_FIELDS)
    by_number: dict[str, etree._Element] = {}
    unread: list[str] = []
    for offset, record in enumerate(records[1:], 1):
        if len(record) < _SDATA:
            return FlatIdoc(
                data,
                line,
                RecordError(
                    f"{source}:line {line + offset}",
                    f"IDoc flat file: data record {offset} is {len(record)} characters, shorter "
                    f"than the {_SDATA}-character EDI_DD40 record header",
                    raw=data,
                    line=line,
                ),
            )
        name = segment_type(record[:30].strip())
        parent_number = record[_PSGNUM].strip().lstrip("0")
        parent = by_number.get(parent_number, idoc) if parent_number else idoc
        elem = etree.SubElement(parent, name, SEGMENT="1")
        known = segment(name)
        if known is not None and known.fields:
            _fields(elem, record, known.fields, _SDATA)
        else:
            etree.SubElement(elem, "SDATA").text = record[_SDATA:].rstrip()
            if name not in unread:
                unread.append(name)
        number = record[_SEGNUM].strip().lstrip("0")
        if number:
            by_number[number] = elem
    nest(idoc)  # senders that leave PSGNUM blank: nest by SAP's hierarchy instead
    return FlatIdoc(data, line, idoc, tuple(unread))
