"""997 and 855 renderers: what they write reads back with X12Format, counts and all."""

from __future__ import annotations

import io
import re

import pytest

from canonical.events.order_created import OrderCreatedV3
from connectors.errors import RecordError
from connectors.formats.x12 import X12Format, render_855, render_855_for_850, render_997
from connectors.record import RawRecord
from mappings import SPECS_DIR, compile_spec, load_spec

from .test_reader import CORPUS, GOOD_850, interchange


def read(data: bytes) -> list[RawRecord | RecordError]:
    return list(X12Format().messages(io.BytesIO(data), "ack.x12"))


def test_997_accepts_good_sets_and_rejects_bad_ones_with_their_errors() -> None:
    bad = ("ST*850*0002", "BEG*00*NE*PO2**20260101", "SE*x*0002")
    received = read(interchange(*GOOD_850, *bad, sets=2))
    assert [type(i).__name__ for i in received] == ["RawRecord", "X12Error"]

    (ack,) = read(render_997(received, control_number=901))
    assert isinstance(ack, RawRecord)
    fields = ack.fields
    assert fields["ISA"][6].strip() == "RECEIVER"
    assert fields["ISA"][8].strip() == "SENDER"
    assert fields["ISA"][13] == "000000901"
    assert fields["GS"][1] == "FA"
    assert fields["AK1"] == ["AK1", "PO", "42"]
    first, second = fields["AK2"]
    assert first == {"AK2": ["AK2", "850", "0001"], "AK5": ["AK5", "A"]}
    assert second["AK2"] == ["AK2", "850", "0002"]
    assert second["AK3"] == [
        {"AK3": ["AK3", "SE", "3", "", "8"], "AK4": [["AK4", "1", "", "6", "x"]]}
    ]
    assert second["AK5"] == ["AK5", "R", "5"]
    assert fields["AK9"] == ["AK9", "P", "2", "2", "1"]


def test_997_reports_a_group_count_error_in_ak9() -> None:
    received = read(interchange(*GOOD_850, sets=3))
    (ack,) = read(render_997(received, control_number=1))
    assert isinstance(ack, RawRecord)
    assert ack.fields["AK9"] == ["AK9", "P", "1", "1", "1", "5"]


@pytest.mark.usefixtures("shared_corpus")
def test_997_for_every_corpus_interchange_reads_back() -> None:
    for path in sorted(CORPUS.iterdir()):
        received = read(path.read_bytes())
        acks = read(render_997(received, control_number=7))
        assert acks, path.name
        assert all(isinstance(a, RawRecord) for a in acks), path.name
        accepted = sum(int(a.fields["AK9"][4]) for a in acks if isinstance(a, RawRecord))
        assert accepted == sum(isinstance(r, RawRecord) for r in received)


@pytest.mark.usefixtures("shared_corpus")
def test_855_from_a_parsed_850_reads_back_line_for_line() -> None:
    mapping = compile_spec(load_spec(SPECS_DIR / "x12" / "retail.order.created@3.yaml"))
    (po,) = read((CORPUS / "nodex12_850.edi").read_bytes())
    assert isinstance(po, RawRecord)
    order = OrderCreatedV3.model_validate(mapping(po.fields))

    rendered = render_855(order, sender="999999999", receiver="4405197800", control_number=12)
    (ack,) = read(rendered)
    assert isinstance(ack, RawRecord)
    assert ack.context["message"] == "855"
    assert ack.context["key"] == "000000012/12/0001"
    assert ack.fields["BAK"][1:5] == ["00", "AC", "08292233294", "20101127"]
    lines = ack.fields["PO1"]
    assert len(lines) == 6 == int(ack.fields["CTT"][1])
    assert lines[0]["PO1"][1:5] == ["1", "120", "EA", "9.25"]
    # the buyer's ids go back as the buyer sent them
    assert lines[0]["PO1"][6:12] == ["CB", "065322-117", "PR", "RO", "VN", "AB3542"]
    assert lines[0]["ACK"] == [["ACK", "IA", "120", "EA"]]
    assert lines[5]["PID"][0][5] == "ORANGE WIDGET"


@pytest.mark.usefixtures("shared_corpus")
def test_855_refuses_a_value_holding_a_separator() -> None:
    mapping = compile_spec(load_spec(SPECS_DIR / "x12" / "retail.order.created@3.yaml"))
    (po,) = read((CORPUS / "stupidedi_004010_850_pass1.edi").read_bytes())
    assert isinstance(po, RawRecord)
    order = OrderCreatedV3.model_validate(mapping(po.fields) | {"order_id": "PO*1"})
    with pytest.raises(ValueError, match=re.escape("BAK03 'PO*1' holds the separator '*'")):
        render_855(order, sender="A", receiver="B", control_number=1)


@pytest.mark.usefixtures("shared_corpus")
def test_855_for_a_parsed_850_goes_back_to_its_sender() -> None:
    (po,) = read((CORPUS / "nodex12_850_3.edi").read_bytes())
    assert isinstance(po, RawRecord)
    (ack,) = read(render_855_for_850(po, control_number=77))
    assert isinstance(ack, RawRecord)
    assert ack.fields["ISA"][6].strip() == po.fields["ISA"][8].strip()
    assert ack.fields["ISA"][8].strip() == po.fields["ISA"][6].strip()
    assert ack.fields["PO1"][0]["PO1"][1:4] == ["1", "1", "KT"]
    assert ack.fields["PO1"][0]["PO1"][6:10] == ["VN", "UNKNOWN", "SK", "000000000001010700"]


@pytest.mark.usefixtures("shared_corpus")
def test_855_for_anything_but_an_850_is_refused() -> None:
    (ack,) = read((CORPUS / "nodex12_855.edi").read_bytes())
    assert isinstance(ack, RawRecord)
    with pytest.raises(ValueError, match="an 855 answers an 850, not 855"):
        render_855_for_850(ack, control_number=1)


@pytest.mark.usefixtures("shared_corpus")
def test_997_keeps_two_interchanges_with_the_same_control_numbers_apart() -> None:
    received = read((CORPUS / "nodex12_850_fat.edi").read_bytes())
    assert received[0].context["key"] == received[1].context["key"]
    acks = read(render_997(received, control_number=3))
    assert [a.fields["AK9"] for a in acks if isinstance(a, RawRecord)] == [
        ["AK9", "A", "1", "1", "1"],
        ["AK9", "A", "1", "1", "1"],
    ]
