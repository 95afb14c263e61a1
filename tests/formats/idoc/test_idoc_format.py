"""IDoc XML reader: control records, message kinds, namespaces, bad IDocs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from connectors.errors import RecordError
from connectors.formats.idoc import IdocFormat
from connectors.record import RawRecord

WRITTEN = Path(__file__).parents[1] / "written_here"


def _read(data: bytes) -> list[RawRecord | RecordError]:
    return list(IdocFormat().messages(io.BytesIO(data), "idocs.xml"))


@pytest.mark.parametrize(
    ("name", "kind", "keys"),
    [
        ("idoc_orders05.xml", "ORDERS05", ["481516", "481517"]),
        ("idoc_wmmbid02.xml", "WMMBID02", ["900001", "900002"]),
        ("idoc_invoic02.xml", "INVOIC02", ["700042"]),
    ],
)
def test_written_idocs_give_one_message_per_idoc(name: str, kind: str, keys: list[str]) -> None:
    path = WRITTEN / name
    assert IdocFormat().sniff(path.read_bytes()[:4096].lstrip())
    with path.open("rb") as fh:
        records = list(IdocFormat().messages(fh, name))
    assert all(isinstance(r, RawRecord) for r in records)
    assert [r.context["message"] for r in records] == [kind] * len(keys)
    assert [r.context["key"] for r in records] == keys
    first = records[0]
    assert isinstance(first, RawRecord)
    assert f"DOCNUM {keys[0]}" in first.context["where"]
    assert f"{kind}/IDOC[1]" in first.context["where"]
    assert first.line > 1
    again = IdocFormat().parse_record(first.data, first.context, source="x", line=first.line)
    assert again.fields == first.fields


def test_segments_become_trees_with_repeats_as_lists() -> None:
    with (WRITTEN / "idoc_orders05.xml").open("rb") as fh:
        first = next(IdocFormat().messages(fh, "o.xml"))
    assert isinstance(first, RawRecord)
    items = first.fields["E1EDP01"]
    assert isinstance(items, list)
    assert items[1]["MENGE"] == "12.500"
    assert items[0]["E1EDP19"][1]["IDTNR"] == "4006381333931"
    assert items[1]["E1EDP19"]["QUALF"] == "002"  # a single segment stays an object


def test_a_namespaced_idoc_from_sap_pi_reads_the_same() -> None:
    data = (
        b'<ns0:ORDERS05 xmlns:ns0="urn:sap-com:document:sap:idoc:messages"><IDOC BEGIN="1">'
        b"<EDI_DC40><DOCNUM>42</DOCNUM><IDOCTYP>ORDERS05</IDOCTYP></EDI_DC40>"
        b"<E1EDK01><BELNR>1</BELNR></E1EDK01></IDOC></ns0:ORDERS05>"
    )
    assert IdocFormat().sniff(data)
    (record,) = _read(data)
    assert isinstance(record, RawRecord)
    assert record.context["key"] == "42"
    assert record.fields["E1EDK01"]["BELNR"] == "1"


def test_basic_type_falls_back_to_the_root_name() -> None:
    (record,) = _read(b"<WMMBID02><IDOC><EDI_DC40><DOCNUM>7</DOCNUM></EDI_DC40></IDOC></WMMBID02>")
    assert record.context["message"] == "WMMBID02"


def test_an_idoc_without_control_record_is_an_error_and_the_next_goes_on() -> None:
    data = (
        b"<ORDERS05>"
        b"<IDOC><E1EDK01><BELNR>9</BELNR></E1EDK01></IDOC>"
        b"<IDOC><EDI_DC40><DOCNUM>0003</DOCNUM><IDOCTYP>ORDERS05</IDOCTYP></EDI_DC40></IDOC>"
        b"</ORDERS05>"
    )
    no_control, good = _read(data)
    assert isinstance(no_control, RecordError)
    assert no_control.field == "EDI_DC40"
    assert no_control.raw is not None
    assert b"<BELNR>9</BELNR>" in no_control.raw
    assert isinstance(good, RawRecord)
    assert good.context["key"] == "3"


def test_an_inbound_idoc_without_docnum_is_read_and_keyed_by_its_position() -> None:
    # SAP assigns DOCNUM on receipt: a partner's inbound IDoc has none, empty or absent
    data = (
        b"<ORDERS05>"
        b"<IDOC><EDI_DC40><DOCNUM></DOCNUM><IDOCTYP>ORDERS05</IDOCTYP></EDI_DC40></IDOC>"
        b"<IDOC><EDI_DC40><IDOCTYP>ORDERS05</IDOCTYP><MESTYP>ORDERS</MESTYP></EDI_DC40></IDOC>"
        b"</ORDERS05>"
    )
    first, second = _read(data)
    assert isinstance(first, RawRecord)
    assert isinstance(second, RawRecord)
    assert [first.context["key"], second.context["key"]] == ["IDOC1", "IDOC2"]
    assert "DOCNUM none yet (an inbound IDoc" in first.context["where"]
    again = IdocFormat().parse_record(second.data, second.context, source="x", line=1)
    assert again.context["key"] == "IDOC2"


@pytest.mark.parametrize(
    ("idoctyp", "mestyp", "kind"),
    [
        ("ORDERS05", "ORDERS", "ORDERS05"),
        ("ORDERS05", "ORDRSP", "ORDERS05/ORDRSP"),
        ("ORDERS05", "ORDCHG", "ORDERS05/ORDCHG"),
        ("ORDERS05", "", "ORDERS05"),
        ("INVOIC02", "INVOIC", "INVOIC02"),
        ("INVOIC02", "GSVERF", "INVOIC02/GSVERF"),
        ("WMMBID02", "WMMBXY", "WMMBID02"),
        ("DELVRY03", "DESADV", "DELVRY03"),
    ],
)
def test_a_message_type_not_the_basic_types_own_is_a_kind_of_its_own(
    idoctyp: str, mestyp: str, kind: str
) -> None:
    data = (
        f"<{idoctyp}><IDOC><EDI_DC40><DOCNUM>1</DOCNUM><IDOCTYP>{idoctyp}</IDOCTYP>"
        f"<MESTYP>{mestyp}</MESTYP></EDI_DC40></IDOC></{idoctyp}>"
    ).encode()
    (record,) = _read(data)
    assert record.context["message"] == kind


def test_a_lone_idoc_element_is_one_idoc() -> None:
    data = b"<IDOC><EDI_DC40><DOCNUM>5</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP></EDI_DC40></IDOC>"
    assert IdocFormat().sniff(data)
    (record,) = _read(data)
    assert isinstance(record, RawRecord)
    assert record.context["message"] == "WMMBID02"
    assert "element IDOC," in record.context["where"]


def test_a_default_namespace_on_every_segment_is_read_away() -> None:
    data = (
        b'<ORDERS05 xmlns="urn:sap-com:document:sap:idoc:messages"><IDOC BEGIN="1">'
        b"<EDI_DC40><DOCNUM>8</DOCNUM><IDOCTYP>ORDERS05</IDOCTYP></EDI_DC40>"
        b"<E1EDP01><POSEX>10</POSEX></E1EDP01><E1EDP19><QUALF>002</QUALF></E1EDP19>"
        b"</IDOC></ORDERS05>"
    )
    (record,) = _read(data)
    assert isinstance(record, RawRecord)
    assert record.fields["E1EDP01"]["E1EDP19"]["QUALF"] == "002"


def test_sniff_wants_idoc_and_control_record() -> None:
    fmt = IdocFormat()
    assert not fmt.sniff(b"<ORDERS05><Order/></ORDERS05>")
    assert not fmt.sniff(b'<POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/">')
    assert not fmt.sniff(b"ISA*00*")
    assert not fmt.sniff(b"store_id,sku,counted_qty\n")


def test_malformed_xml_raises_after_the_idocs_before_it_and_a_nested_idoc_is_not_one() -> None:
    data = (
        b"<ORDERS05>"
        b"<IDOC><EDI_DC40><DOCNUM>1</DOCNUM></EDI_DC40><EXT><IDOC/></EXT></IDOC>"
        b"<IDOC><EDI_DC40><DOCN"
    )
    reader = IdocFormat().messages(io.BytesIO(data), "idocs.xml")
    first = next(reader)
    assert isinstance(first, RawRecord)
    assert first.context["key"] == "1"
    with pytest.raises(RecordError, match=r"malformed XML after IDoc 1: .*IDocs before it"):
        next(reader)
