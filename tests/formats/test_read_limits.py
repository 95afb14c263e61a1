"""Every document reader refuses a segment, line or document over its cap, at its offset."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from connectors.errors import RecordError
from connectors.formats import document_formats as registry
from connectors.formats.limits import (
    CappedReader,
    LimitExceeded,
    ReadLimits,
    read_limits,
    set_read_limits,
)
from connectors.formats.xml_tree import NESTED_TOO_DEEP

EDIFACT = b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+200101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+"
X12 = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *200101*1200*U*00401"
    b"*000000001*0*P*>~GS*PO*S*R*20200101*1200*1*X*004010~ST*850*0001~BEG*00*SA*"
)
POSLOG = (
    b'<?xml version="1.0"?><POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/">'
    b"<Transaction><RetailTransaction>"
)


@pytest.fixture
def small_limits() -> Iterator[ReadLimits]:
    before = read_limits()
    limits = ReadLimits(line_bytes=1 << 16, segment_bytes=1 << 16, document_bytes=1 << 20)
    set_read_limits(limits)
    yield limits
    set_read_limits(before)


def _read(data: bytes, name: str) -> list[object]:
    fmt = registry.detect(registry.read_head(io.BytesIO(data)), name)
    return list(fmt.messages(io.BytesIO(data), name))


@pytest.mark.parametrize(
    ("name", "data", "setting", "where"),
    [
        # a segment whose terminator never comes, as one block or many
        ("endless.edi", EDIFACT + b"x" * (5 << 20), "segment_bytes", "segment 3, byte 72"),
        ("released.edi", EDIFACT + b"x?'" * (1 << 20), "segment_bytes", "segment 3, byte 72"),
        ("endless.x12", X12 + b"x" * (5 << 20), "segment_bytes", "segment 4, byte 153"),
        ("elements.x12", X12 + b"x*" * (2 << 20), "segment_bytes", "segment 4, byte 153"),
        # a segment over the cap that does end: refused too, as EDIFACT refuses one
        ("ended.x12", X12 + b"x" * (100_000) + b"~CTT*1~", "segment_bytes", "segment 4, byte 153"),
        (
            "ended.edi",
            EDIFACT + b"x" * (100_000) + b"'UNT+3+1'",
            "segment_bytes",
            "segment 3, byte 72",
        ),
        # a document that never closes, or one text node of megabytes
        ("open.xml", POSLOG + b"<X>y</X>" * 300_000, "document_bytes", "byte 1048576"),
        ("text.xml", POSLOG + b"<X>" + b"y" * (3 << 20), "document_bytes", "byte 1048576"),
        (
            "idoc.xml",
            b"<ORDERS05><IDOC BEGIN='1'><EDI_DC40 SEGMENT='1'>" + b"x" * (3 << 20),
            "document_bytes",
            "byte 1048576",
        ),
        ("flat.idoc", b"EDI_DC40  " + b"x" * (3 << 20), "line_bytes", "line 1, byte 0"),
        ("orders.json", b'{"orders": [' + b'{"id": 1},' * 300_000, "document_bytes", "byte"),
    ],
)
def test_a_unit_over_its_cap_is_refused_naming_offset_and_setting(
    small_limits: ReadLimits, name: str, data: bytes, setting: str, where: str
) -> None:
    with pytest.raises(LimitExceeded) as caught:
        _read(data, name)
    error = caught.value
    assert error.setting == setting
    assert f"limits.{setting}" in str(error)
    assert str(error).startswith(f"{name}")
    assert where in error.location


def test_units_within_their_caps_are_read(small_limits: ReadLimits) -> None:
    segments = b"".join(b"FTX+AAI+++%s'" % (b"x" * 500) for _ in range(400))
    edifact = EDIFACT[:-8] + segments + b"UNT+402+1'UNZ+1+1'"
    assert len(edifact) > small_limits.segment_bytes  # the file is not what is capped
    (message,) = _read(edifact, "long.edi")
    assert type(message).__name__ in ("RawRecord", "RecordError")


def test_the_capped_reader_counts_what_it_hands_out() -> None:
    reader = CappedReader(io.BytesIO(b"ab\ncd\n" * 10), "f", cap=20, line_cap=4)
    assert reader.readline() == b"ab\n"
    assert reader.read(10) == b"cd\nab\ncd\na"
    with pytest.raises(LimitExceeded, match="byte 20"):
        reader.read()
    long_line = CappedReader(io.BytesIO(b"abcdefgh\n"), "f", cap=100, line_cap=4)
    with pytest.raises(LimitExceeded, match="line 1, byte 0"):
        long_line.readline()


@pytest.mark.parametrize(
    ("name", "head", "tail"),
    [
        ("deep.xml", POSLOG, b"</RetailTransaction></Transaction></POSLog>"),
        (
            "deep-idoc.xml",
            b"<ORDERS05><IDOC BEGIN='1'><EDI_DC40 SEGMENT='1'><DOCNUM>1</DOCNUM></EDI_DC40>",
            b"</IDOC></ORDERS05>",
        ),
    ],
)
def test_a_message_nested_too_deep_is_its_own_record_error(
    name: str, head: bytes, tail: bytes
) -> None:
    depth = 1500  # libxml2 allows 2048 levels; Python's recursion stops near 1000
    data = head + b"<a>" * depth + b"x" + b"</a>" * depth + tail
    (message,) = _read(data, name)
    assert isinstance(message, RecordError)
    assert NESTED_TOO_DEEP in message.reason
