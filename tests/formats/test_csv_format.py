"""CSV is a format of the format registry like X12 or IDoc: it takes what no document claims."""

from __future__ import annotations

import io

import pytest

from connectors.errors import RecordError
from connectors.formats import document_formats
from connectors.formats.csv import CsvFormat
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord

ROWS = b'store_id,sku\n0377,A-1\n\n0377,A-2\n0377,"broken\n'


def test_csv_is_a_registered_document_format() -> None:
    fmt = document_formats.get("csv")
    assert isinstance(fmt, CsvFormat)
    assert isinstance(fmt, DocumentFormat)
    assert fmt.name == "csv"
    assert "csv" in document_formats.available()


@pytest.mark.parametrize(
    "head", [b"store_id,sku\n0377,A-1\n", b"\xef\xbb\xbfStore;Qty\n", b"hello"]
)
def test_content_no_document_claims_is_csv(head: bytes) -> None:
    assert document_formats.detect(head, "drop/file").name == "csv"


@pytest.mark.parametrize("head", [b"ISA*00*", b"<POSLog>", b"EDI_DC40  100"])
def test_a_document_is_never_csv(head: bytes) -> None:
    try:
        fmt = document_formats.detect(head, "drop/file")
    except RecordError:
        return  # refused: an unknown document is not read as CSV either
    assert fmt.name != "csv"


def test_messages_are_the_rows_with_their_lines_and_errors() -> None:
    items = list(CsvFormat().messages(io.BytesIO(ROWS), "count.csv"))
    records = [i for i in items if isinstance(i, RawRecord)]
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [(r.line, r.fields["sku"]) for r in records] == [(2, "A-1"), (4, "A-2")]
    assert len(errors) == 1
    assert "line 5" in errors[0].location
    # replay parses one row again with the context its record carried (the one signature)
    again = CsvFormat().parse_record(
        records[1].data, records[1].context, source="count.csv", line=4
    )
    assert again.fields == records[1].fields
