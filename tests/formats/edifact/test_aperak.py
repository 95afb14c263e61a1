"""APERAK reports a message that parsed but failed its mapping, and reads back as EDIFACT."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from connectors.formats.edifact import EdifactFormat, render_aperak
from connectors.record import RawRecord
from mappings import SPECS_DIR, MappingError, compile_spec, load_spec

from .conftest import read

WHEN = datetime(2024, 6, 5, 10, 30, tzinfo=UTC)


def test_a_message_refused_by_its_mapping_is_reported_with_the_reason() -> None:
    data = (
        b"UNB+UNOC:3+SENDER:14+RECEIVER:14+240605:0930+IC1'"
        b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'DTM+137:20240605:102'LIN+1++A1:SA'"
        b"UNT+5+M1'UNZ+1+IC1'"
    )
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    mapping = compile_spec(load_spec(SPECS_DIR / "edifact" / "retail.order.created@3.yaml"))
    with pytest.raises(MappingError) as caught:
        mapping.map_all(record.fields)
    report = render_aperak([(record, str(caught.value))], control_ref="AP1", prepared_at=WHEN)
    lines = report.decode().splitlines()
    assert lines[:9] == [
        "UNA:+.? '",
        "UNB+UNOC:3+RECEIVER:14+SENDER:14+240605:1030+AP1'",
        "UNH+AP1-1+APERAK:D:96A:UN'",
        "BGM++AP1-1+27'",
        "DTM+137:202406051030:203'",
        "RFF+ACW:M1'",
        "RFF+ACE:IC1'",
        "NAD+MS+RECEIVER'",
        "NAD+MR+SENDER'",
    ]
    (back,) = list(EdifactFormat().messages(io.BytesIO(report), "aperak.edi"))
    assert isinstance(back, RawRecord)
    assert back.context["message"] == "APERAK"
    (error,) = back.fields["ERC"]
    assert error["ERC"][1][1] == "ZZZ"
    assert error["FTX"][0][4][1] == (
        "mapping edifact.orders@2: field lines[0].quantity.value from "
        "mappings.functions.edifact:order_lines()[0].quantity (missing): required value is missing"
    )
