"""The CSV reader keeps each row's original bytes and line, and never loses a row silently."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import MissingColumnError, RecordError
from connectors.formats.csv import CsvFormat, CsvPosition
from connectors.record import RawRecord

HEADER = b"store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"


def _write(tmp_path: Path, body: bytes) -> Path:
    path = tmp_path / "count.csv"
    path.write_bytes(body)
    return path


def test_rows_carry_original_bytes_and_physical_line_numbers(tmp_path: Path) -> None:
    body = (
        HEADER + b'1,A,,5,4,2026-01-01,x\r\n1,"B\nb",,1,1,2026-01-01,y\n\n1,C,,2,2,2026-01-01,z\n'
    )
    items = list(CsvFormat().read(_write(tmp_path, body)))
    assert [type(i) for i in items] == [RawRecord, RawRecord, RawRecord]
    recs = [i for i in items if isinstance(i, RawRecord)]
    assert [r.line for r in recs] == [2, 3, 6]
    assert recs[0].data == b"1,A,,5,4,2026-01-01,x\r\n"
    assert recs[1].data == b'1,"B\nb",,1,1,2026-01-01,y\n'
    assert recs[1].fields["sku"] == "B\nb"


def test_row_with_missing_columns_is_an_error_naming_them(tmp_path: Path) -> None:
    (item,) = CsvFormat().read(_write(tmp_path, HEADER + b"1,A,,5\n"))
    assert isinstance(item, MissingColumnError)
    assert item.line == 2
    assert item.raw == b"1,A,,5\n"
    assert "system_qty, counted_at, counter" in str(item)


def test_bytes_that_are_not_utf8_make_a_row_error_not_a_crash(tmp_path: Path) -> None:
    items = list(
        CsvFormat().read(_write(tmp_path, HEADER + b"1,\xff\xfe,,5,4,d,x\n1,B,,1,1,d,y\n"))
    )
    assert isinstance(items[0], RecordError)
    assert "not utf-8" in str(items[0])
    assert isinstance(items[1], RawRecord)


def test_header_names_are_configurable_and_required_columns_checked(tmp_path: Path) -> None:
    fmt = CsvFormat(required=("store_id", "counted_qty"), columns={"store_id": "Store"})
    path = _write(tmp_path, b"Store,sku,counted_qty\nS1,A,3\n")
    (item,) = fmt.read(path)
    assert isinstance(item, RawRecord)
    assert item.fields == {"store_id": "S1", "sku": "A", "counted_qty": "3"}
    with pytest.raises(MissingColumnError, match="counted_qty"):
        list(CsvFormat(required=("counted_qty",)).read(_write(tmp_path, b"Store,sku\nS1,A\n")))


def test_resume_from_a_position_yields_only_the_rest(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + b"1,A,,5,4,d,x\n1,B,,1,1,d,y\n1,C,,2,2,d,z\n")
    pairs = list(CsvFormat().read_with_positions(path))
    after_first = pairs[0][1]
    assert after_first == CsvPosition(len(HEADER) + len(b"1,A,,5,4,d,x\n"), 2)
    rest = [r for r, _ in CsvFormat().read_with_positions(path, resume=after_first)]
    assert [r.fields["sku"] for r in rest if isinstance(r, RawRecord)] == ["B", "C"]
    assert [r.line for r in rest if isinstance(r, RawRecord)] == [3, 4]


def test_parse_record_reads_one_row_again_with_its_header(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + b"1,A,,5,4,d,x\n")
    (first,) = CsvFormat().read(path)
    assert isinstance(first, RawRecord)
    again = CsvFormat().parse_record(first.data, first.context, source="s", line=2)
    assert again.fields == first.fields
    with pytest.raises(MissingColumnError):
        CsvFormat().parse_record(b"1,A\n", first.context, source="s", line=2)


def test_fast_and_line_by_line_parsers_agree_on_a_messy_file(tmp_path: Path) -> None:
    body = (
        HEADER
        + b'1,"quoted, comma",,5,4,d,x\r\n'
        + b'1,"multi\nline",,1,1,d,y\n'
        + b"\n"
        + b"1,short\n"
        + b'1,"bad"quote,,1,1,d,z\n'
        + "1,Ünïcode,,2,2,d,é\n".encode()
        + b"1,last,,3,3,d,no-newline"
    )
    fast, slow = _fast_and_slow(_write(tmp_path, body))
    assert fast == slow
    assert fast[-1][-1] == CsvPosition(len(body), 9)
    assert [kind for kind, *_ in fast] == [
        "RawRecord", "RawRecord", "MissingColumnError", "RecordError", "RawRecord", "RawRecord",
    ]  # fmt: skip


def _fast_and_slow(path: Path) -> tuple[list[object], list[object]]:
    """What the chunked parser and the line-by-line parser make of ``path``."""
    fmt = CsvFormat()
    fast = list(fmt.read_with_positions(path))
    with path.open("rb") as fh:
        context, header_len = fmt.read_header(fh, str(path))
        fh.seek(header_len)
        slow = list(fmt.rows(fh, str(path), context, CsvPosition(header_len, 1)))

    def summary(items: list[tuple[RawRecord | RecordError, CsvPosition]]) -> list[object]:
        return [
            (type(i).__name__, i.raw, str(i), p)
            if isinstance(i, RecordError)
            else (type(i).__name__, i.data, i.line, dict(i.fields), p)
            for i, p in items
        ]

    return summary(fast), summary(slow)


_PLAIN_FIELD = st.text(
    st.characters(blacklist_characters='",\r\n', blacklist_categories=("Cs",)), max_size=8
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_PLAIN_FIELD, min_size=0, max_size=9), max_size=12),
    final_newline=st.booleans(),
)
def test_unquoted_chunks_parse_exactly_as_the_csv_module_does(
    tmp_path: Path, rows: list[list[str]], final_newline: bool
) -> None:
    # no quote and no CR: the split fast path; short, long and blank rows and any Unicode
    text = "\n".join(",".join(r) for r in rows) + ("\n" if final_newline else "")
    fast, slow = _fast_and_slow(_write(tmp_path, HEADER + text.encode()))
    assert fast == slow


def test_split_rows_never_cuts_inside_quotes(tmp_path: Path) -> None:
    from connectors.formats.csv import split_rows

    rows = b"".join(b'1,"a\nb\nc",,1,1,d,%d\n' % i for i in range(10))
    path = _write(tmp_path, HEADER + rows)
    with path.open("rb") as fh:
        fh.seek(len(HEADER))
        chunks = list(split_rows(fh, CsvPosition(len(HEADER), 1), 3))
    assert [c.rows for c in chunks] == [3, 3, 3, 1]
    assert b"".join(c.data for c in chunks) == rows
    assert chunks[1].start == chunks[0].end
    assert chunks[-1].end == CsvPosition(len(HEADER) + len(rows), 31)


def _cut_line_by_line(data: bytes, rows_per_chunk: int) -> list[tuple[bytes, int, int]]:
    """The obvious cutter (one line at a time, quote parity): what split_rows must agree with."""
    out: list[tuple[bytes, int, int]] = []
    buf: list[bytes] = []
    rows = quotes = lines = 0
    for raw in re.findall(rb"[^\n]*\n|[^\n]+\Z", data):
        buf.append(raw)
        lines += 1
        quotes += raw.count(b'"')
        if quotes % 2:
            continue
        quotes = 0
        rows += 1
        if rows >= rows_per_chunk:
            out.append((b"".join(buf), rows, lines))
            buf, rows = [], 0
    if buf:
        out.append((b"".join(buf), rows or 1, lines))
    return out


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        st.sampled_from([b"a,b\n", b"\n", b'"x\n', b'y"\n', b'"q""q",1\n', b"plain,row,1\n"]),
        max_size=40,
    ),
    tail=st.sampled_from([b"", b"last,no,newline", b'"open']),
    rows_per_chunk=st.integers(1, 7),
)
def test_split_rows_cuts_where_a_line_by_line_cutter_does(
    tmp_path: Path, lines: list[bytes], tail: bytes, rows_per_chunk: int, monkeypatch: Any
) -> None:
    from connectors.formats import csv as csv_module

    monkeypatch.setattr(csv_module, "_BLOCK", 5)  # blocks that end mid-line and mid-chunk
    data = b"".join(lines) + tail
    path = _write(tmp_path, data)
    with path.open("rb") as fh:
        chunks = list(csv_module.split_rows(fh, CsvPosition(0, 0), rows_per_chunk))
    expected = _cut_line_by_line(data, rows_per_chunk)
    assert [(c.data, c.rows, c.end.line) for c in chunks] == expected
    assert all(a.end == b.start for a, b in itertools.pairwise(chunks))
    assert not chunks or chunks[-1].end.offset == len(data)


def _chunk_rows_and_parse_chunk(path: Path, rows_per_chunk: int) -> tuple[list[Any], list[Any]]:
    """What ChunkRows and parse_chunk make of each chunk of ``path``, row by row."""
    from connectors.formats.csv import split_rows

    fmt = CsvFormat()
    lazy: list[Any] = []
    eager: list[Any] = []
    as_lists: list[Any] = []
    with path.open("rb") as fh:
        context, header_len = fmt.read_header(fh, str(path))
        fh.seek(header_len)
        for chunk in split_rows(fh, CsvPosition(header_len, 1), rows_per_chunk):
            rows = fmt.chunk_rows(chunk, str(path), context)
            for line, fields in rows:
                if isinstance(fields, RecordError):
                    lazy.append((line, type(fields).__name__, str(fields), fields.raw))
                else:
                    lazy.append((line, fields, rows.raw(line), rows.location(line)))
            # the same rows as field lists, for a mapping's row function: zipped back with the
            # header they must give the very same dicts
            listed = fmt.chunk_rows(chunk, str(path), context, lists=True)
            for line, fields in listed:
                if isinstance(fields, RecordError):
                    as_lists.append((line, type(fields).__name__, str(fields), fields.raw))
                else:
                    assert isinstance(fields, list)
                    named = dict(zip(context["names"], fields, strict=True))
                    as_lists.append((line, named, listed.raw(line), listed.location(line)))
            for item, _ in fmt.parse_chunk(chunk, str(path), context):
                if isinstance(item, RecordError):
                    eager.append((item.line, type(item).__name__, str(item), item.raw))
                else:
                    eager.append((item.line, dict(item.fields), item.data, item.location))
    assert as_lists == lazy
    return lazy, eager


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_PLAIN_FIELD, min_size=0, max_size=9), max_size=12),
    final_newline=st.booleans(),
    rows_per_chunk=st.integers(1, 5),
)
def test_chunk_rows_give_what_parse_chunk_gives(
    tmp_path: Path, rows: list[list[str]], final_newline: bool, rows_per_chunk: int
) -> None:
    text = "\n".join(",".join(r) for r in rows) + ("\n" if final_newline else "")
    lazy, eager = _chunk_rows_and_parse_chunk(
        _write(tmp_path, HEADER + text.encode()), rows_per_chunk
    )
    assert lazy == eager


def test_chunk_rows_give_what_parse_chunk_gives_on_a_messy_file(tmp_path: Path) -> None:
    body = (
        HEADER
        + b"1,plain,,5,4,d,x\n"
        + b'1,"multi\nline",,1,1,d,y\n'
        + b"1,short\n"
        + b"\xff,bad,,1,1,d,z\n"
        + b"1,last,,3,3,d,no-newline"
    )
    for rows_per_chunk in (1, 2, 100):
        lazy, eager = _chunk_rows_and_parse_chunk(_write(tmp_path, body), rows_per_chunk)
        assert lazy == eager
        assert [entry[0] for entry in lazy] == [2, 3, 5, 6, 7]
