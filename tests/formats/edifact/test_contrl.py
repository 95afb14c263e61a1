"""CONTRL reports render what the reader found, and read back as EDIFACT."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from connectors.formats.edifact import EdifactFormat, render_contrl
from connectors.record import RawRecord

from .conftest import read

WHEN = datetime(2024, 6, 5, 10, 30, tzinfo=UTC)
INTERCHANGE = (
    b"UNB+UNOC:3+SENDER:14+RECEIVER:14+240605:0930+IC1'"
    b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'UNT+3+M1'"
    b"UNH+M2+ORDERS:D:96A:UN'BGM+220+PO2'QTY+21:1,5'UNT+4+M2'"
    b"UNH+M3+ORDERS:D:96A:UN'BGM+220+PO3'UNT+9+M3'"
    b"UNZ+2+IC1'"
)


def _contrl(data: bytes) -> RawRecord:
    report = render_contrl(read(data), control_ref="CR1", prepared_at=WHEN)
    (record,) = list(EdifactFormat().messages(io.BytesIO(report), "contrl.edi"))
    assert isinstance(record, RawRecord), record
    return record


def test_contrl_acknowledges_good_messages_and_rejects_bad_ones_with_their_place() -> None:
    report = render_contrl(read(INTERCHANGE), control_ref="CR1", prepared_at=WHEN)
    assert report.decode().splitlines() == [
        "UNA:+.? '",
        "UNB+UNOC:3+RECEIVER:14+SENDER:14+240605:1030+CR1'",
        "UNH+CR1+CONTRL:D:3:UN'",
        "UCI+IC1+SENDER:14+RECEIVER:14+7+29+UNZ+1'",
        "UCM+M1+ORDERS:D:96A:UN+7'",
        "UCM+M2+ORDERS:D:96A:UN+4+19'",
        "UCS+3'",
        "UCD+19+1:2'",
        "UCM+M3+ORDERS:D:96A:UN+4+29'",
        "UCS+3'",
        "UCD+29+1:1'",
        "UNT+10+CR1'",
        "UNZ+1+CR1'",
    ]


def test_contrl_reads_back_with_errors_under_their_message() -> None:
    record = _contrl(INTERCHANGE)
    assert record.context["message"] == "CONTRL"
    (uci,) = record.fields["UCI"]
    assert [uci[1][1], uci[4][1], uci[5][1], uci[6][1]] == ["IC1", "7", "29", "UNZ"]
    messages = record.fields["UCM"]
    assert [(m["UCM"][1][1], m["UCM"][3][1]) for m in messages] == [
        ("M1", "7"),
        ("M2", "4"),
        ("M3", "4"),
    ]
    (ucs,) = messages[1]["UCS"]
    assert ucs["UCS"][1][1] == "3"
    assert ucs["UCD"][0][1:] == [["19", "19"], ["1:2", "1", "2"]]


def test_contrl_escapes_service_characters_in_references() -> None:
    data = INTERCHANGE.replace(b"IC1", b"IC?+1")
    record = _contrl(data)
    assert record.fields["UCI"][0][1][1] == "IC+1"
