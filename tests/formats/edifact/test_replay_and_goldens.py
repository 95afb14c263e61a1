"""A dead letter's bytes parse again alone; every EDIFACT spec's golden cases hold."""

from __future__ import annotations

from connectors.formats.edifact import EdifactFormat
from connectors.record import RawRecord
from hub.golden import run_golden_tests
from mappings import SPECS_DIR

from .conftest import read


def test_a_message_parses_again_from_its_bytes_and_context() -> None:
    data = (
        b"UNA:+,? 'UNB+UNOW:4+S:14+R:14+20240605:0930+IC1'"
        b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'QTY+21:2,5'UNT+4+M1'UNZ+1+IC1'"
    )
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    again = EdifactFormat().parse_record(
        record.data, dict(record.context), source=record.source, line=record.line
    )
    assert again.fields == record.fields
    assert again.context["key"] == "IC1/M1"
    assert again.fields["QTY"][0][1][2] == "2.5"


def test_every_edifact_golden_case_matches() -> None:
    results = list(run_golden_tests(SPECS_DIR / "edifact"))
    specs = {r.spec for r in results}
    assert specs == {
        "edifact.orders@2",
        "edifact.invoic@2",
        "edifact.invrpt@2",
        "edifact.retann@2",
        "edifact refusals",
    }
    assert len(results) == 38
    failing = {f"{r.spec} {r.case}": r.differences for r in results if r.differences}
    assert failing == {}
    skipped = [r for r in results if r.skipped]
    assert all("corpus" in r.skipped for r in skipped)
