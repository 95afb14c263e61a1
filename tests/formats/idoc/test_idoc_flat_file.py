"""IDoc flat files (EDI_DC40 control record, EDI_DD40 data records) read as IDocs, not CSV."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from connectors.errors import RecordError
from connectors.formats import document_formats as registry
from connectors.formats.idoc import IdocFormat
from connectors.formats.idoc.flatfile import CONTROL_FIELDS, read_flat_file
from connectors.record import RawRecord

FLAT = Path(__file__).parents[1] / "written_here" / "idoc_orders05_flat_file.txt"


def _control(**values: str) -> str:
    out = ""
    for name, width in CONTROL_FIELDS:
        out += values.get(name, "").ljust(width)
    return out


def _data(segnam: str, segnum: int, psgnum: int, sdata: str) -> str:
    return f"{segnam:<30}100{'':16}{segnum:06d}{psgnum:06d}02{sdata}"


def _read(text: str) -> list[RawRecord | RecordError]:
    return list(IdocFormat().messages(io.BytesIO(text.encode()), "idoc.txt"))


def test_the_control_record_is_524_characters() -> None:
    assert sum(width for _, width in CONTROL_FIELDS) == 524


def test_a_flat_file_is_recognised_as_an_idoc_not_a_csv() -> None:
    head = registry.read_head(io.BytesIO(FLAT.read_bytes()))
    assert registry.detect(head).name == "idoc"


def test_a_byte_order_mark_before_the_control_record_is_not_part_of_it() -> None:
    # detection already looks past a UTF-8 BOM; the reader must too, or the control record
    # it just recognised is taken for "a data record before any EDI_DC40 control record"
    plain = FLAT.read_bytes()
    data = b"\xef\xbb\xbf" + plain
    assert registry.detect(registry.read_head(io.BytesIO(data))).name == "idoc"
    (marked,) = list(IdocFormat().messages(io.BytesIO(data), FLAT.name))
    (unmarked,) = list(IdocFormat().messages(io.BytesIO(plain), FLAT.name))
    assert isinstance(marked, RawRecord)
    assert isinstance(unmarked, RawRecord)
    assert marked.fields == unmarked.fields
    assert marked.fields["EDI_DC40"]["IDOCTYP"] == "ORDERS05"


def test_a_flat_file_reads_into_the_tree_of_its_xml_form() -> None:
    with FLAT.open("rb") as fh:
        (record,) = list(IdocFormat().messages(fh, FLAT.name))
    assert isinstance(record, RawRecord)
    control = record.fields["EDI_DC40"]
    assert (control["IDOCTYP"], control["MESTYP"], control["SNDPRN"]) == (
        "ORDERS05",
        "ORDERS",
        "0000104711",
    )
    assert "DOCNUM" not in control  # an inbound IDoc: SAP assigns the number
    assert record.context["message"] == "ORDERS05"
    assert record.context["key"] == "IDOC1"
    assert record.fields["E1EDK01"]["BELNR"] == "4500012347"
    assert record.fields["E1EDK01"]["CURCY"] == "EUR"
    we = record.fields["E1EDKA1"][1]
    assert (we["PARVW"], we["PARTN"], we["NAME1"], we["ORT01"], we["PSTLZ"], we["LAND1"]) == (
        "WE",
        "0142",
        "Store 0142 Goods In",
        "Hamburg",
        "20457",
        "DE",
    )
    first, second = record.fields["E1EDP01"]
    assert (first["POSEX"], first["MENGE"], first["MENEE"], first["VPREI"]) == (
        "000010",
        "24.000",
        "PCE",
        "1.05",
    )
    assert [i["QUALF"] for i in first["E1EDP19"]] == ["002", "003"]  # nested by PSGNUM
    assert second["E1EDP19"]["IDTNR"] == "SKU-3003"
    assert second["E1EDPT1"] == {"@SEGMENT": "1", "SDATA": "ZLTXDE"}
    assert "kept as SDATA: E1EDPT1" in record.context["where"]
    assert record.content_type == "text/plain"


def test_a_flat_idoc_replays_from_its_dead_letter_bytes() -> None:
    with FLAT.open("rb") as fh:
        (record,) = list(IdocFormat().messages(fh, FLAT.name))
    assert isinstance(record, RawRecord)
    again = IdocFormat().parse_record(record.data, record.context, source="x", line=record.line)
    assert again.fields == record.fields


def test_each_control_record_starts_the_next_idoc_and_blank_psgnum_nests_by_hierarchy() -> None:
    text = "\n".join(
        [
            _control(TABNAM="EDI_DC40", DOCNUM="0000000000000011", IDOCTYP="WMMBID02"),
            _data("E2MBXYH001", 1, 0, "20261201"),
            _control(TABNAM="EDI_DC40", DOCNUM="0000000000000012", IDOCTYP="ORDERS05"),
            _data("E2EDP01007", 1, 0, "000010"),
            f"{'E2EDP19001':<30}100{'':16}000002{'':6}  002SKU-9",  # PSGNUM left blank
        ]
    )
    first, second = _read(text)
    assert isinstance(first, RawRecord)
    assert isinstance(second, RawRecord)
    assert (first.context["key"], second.context["key"]) == ("11", "12")
    assert first.fields["E1MBXYH"] == {"@SEGMENT": "1", "SDATA": "20261201"}
    assert second.fields["E1EDP01"]["E1EDP19"]["IDTNR"] == "SKU-9"
    assert second.line == 3


def test_a_short_data_record_is_an_error_of_its_idoc_only() -> None:
    text = "\n".join(
        [
            _control(TABNAM="EDI_DC40", DOCNUM="1", IDOCTYP="ORDERS05"),
            "E2EDK01005   100",
            _control(TABNAM="EDI_DC40", DOCNUM="2", IDOCTYP="ORDERS05"),
        ]
    )
    bad, good = _read(text)
    assert isinstance(bad, RecordError)
    assert "data record 1 is 16 characters" in bad.reason
    assert bad.location == "idoc.txt:line 2"
    assert isinstance(good, RawRecord)


def test_the_release_3_layout_is_refused_by_name() -> None:
    with pytest.raises(RecordError, match=r"release 2/3 record layout \(EDI_DC/EDI_DD\)"):
        _read("EDI_DC    300   1 ORDERS05\nE2EDK01   300\n")


def test_data_before_any_control_record_is_refused() -> None:
    with pytest.raises(RecordError, match="before any EDI_DC40 control record"):
        list(read_flat_file(io.BytesIO(b"\nE2EDK01005  100\n"), "x.txt"))
