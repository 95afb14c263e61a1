"""Hostile CSV: lines that never end, unclosed quotes, control characters, huge fields."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from connectors.formats.limits import LimitExceeded, ReadLimits, read_limits, set_read_limits
from connectors.record import RawRecord

HEADER = b"store_id,sku,qty\n"
ROW = b"0142,SKU-1,3\n"


@pytest.fixture
def small_limits() -> Iterator[ReadLimits]:
    before = read_limits()
    limits = ReadLimits(line_bytes=200_000, field_bytes=1000)
    set_read_limits(limits)
    yield limits
    set_read_limits(before)


def _cut(data: bytes) -> Iterator[object]:
    fh = io.BytesIO(data)
    fh.readline()
    return split_rows(fh, CsvPosition(len(HEADER), 1), 1000, source="in.csv")


def test_a_line_that_never_ends_is_refused_at_its_offset_after_the_rows_before_it(
    small_limits: ReadLimits,
) -> None:
    data = HEADER + ROW * 3 + b"x" * 300_000
    chunks = _cut(data)
    first = next(chunks)
    assert getattr(first, "rows", None) == 3
    with pytest.raises(LimitExceeded) as caught:
        next(chunks)
    error = caught.value
    assert error.offset == len(HEADER) + 3 * len(ROW)
    assert error.setting == "line_bytes"
    assert error.location == f"in.csv:line 5, byte {error.offset}"
    assert "limits.line_bytes" in str(error)
    assert "200,000 bytes" in str(error)


def test_a_quote_never_closed_is_refused_where_its_record_began(
    small_limits: ReadLimits,
) -> None:
    data = HEADER + ROW + b'0142,"SKU\n' + b"more,lines\n" * 30_000
    chunks = _cut(data)
    first = next(chunks)
    assert getattr(first, "data", None) == ROW  # the open record's lines are left out
    with pytest.raises(LimitExceeded) as caught:
        next(chunks)
    assert caught.value.offset == len(HEADER) + len(ROW)
    assert caught.value.line == 3


def _read(tmp_path: Path, body: bytes) -> list[RawRecord | RecordError]:
    path = tmp_path / "in.csv"
    path.write_bytes(HEADER + body)
    return list(CsvFormat().read(path))


@pytest.mark.parametrize("char", ["\0", "\x01", "\x1b", "\x7f\x00"])
def test_a_control_character_in_a_field_is_a_record_error_naming_line_and_field(
    tmp_path: Path, char: str
) -> None:
    body = ROW + f"0142,SK{char}U-2,4\n".encode() + b'0142,"SKU\n3",5\n' + ROW
    records = _read(tmp_path, body)
    assert [type(r).__name__ for r in records] == ["RawRecord", "RecordError"] + ["RawRecord"] * 2
    error = records[1]
    assert isinstance(error, RecordError)
    assert error.field == "sku"
    assert error.location.endswith("in.csv:line 3")
    assert "control character U+00" in error.reason
    assert error.raw == f"0142,SK{char}U-2,4\n".encode()
    # a line break and a tab inside a quoted field are text
    assert isinstance(records[2], RawRecord)
    assert records[2].fields["sku"] == "SKU\n3"


def test_a_field_over_the_cap_is_a_record_error(tmp_path: Path, small_limits: ReadLimits) -> None:
    records = _read(tmp_path, ROW + b"0142," + b"S" * 5000 + b",1\n" + ROW)
    assert [type(r).__name__ for r in records] == ["RawRecord", "RecordError", "RawRecord"]
    error = records[1]
    assert isinstance(error, RecordError)
    assert error.field == "sku"
    assert "limits.field_bytes" in error.reason


def test_the_unit_separator_may_be_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"store_id\x1fsku\n0142\x1fSKU-1\n")
    (record,) = CsvFormat(delimiter="\x1f").read(path)
    assert isinstance(record, RawRecord)
    assert record.fields == {"store_id": "0142", "sku": "SKU-1"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x7fELF\x02\x01\x01\x00\xd0\xff\n", "not utf-8-sig text"),
        ("st\xf6re_id,sku\n".encode("latin-1"), "byte 0xf6 at 2"),
        ("store_id,sku\n".encode("utf-16"), "not utf-8-sig text"),
        (b"\0\0\0\0store_id\n", r"control character U\+0000"),
        (b"", "file is empty"),
    ],
)
def test_a_header_that_is_not_text_refuses_the_file(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    with pytest.raises(RecordError, match=expected):
        list(CsvFormat().read(path))
