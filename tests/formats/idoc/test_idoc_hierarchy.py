"""IDoc segments nested as SAP's hierarchy defines, whether the sender nested them or not."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from lxml import etree

from connectors.formats.idoc import IdocFormat
from connectors.formats.idoc.segments import nest, segment, segment_type
from connectors.record import RawRecord
from tests.corpus import corpus_file

WRITTEN = Path(__file__).parents[1] / "written_here"


def _records(data: bytes) -> list[RawRecord]:
    found = list(IdocFormat().messages(io.BytesIO(data), "idocs.xml"))
    assert all(isinstance(r, RawRecord) for r in found)
    return [r for r in found if isinstance(r, RawRecord)]


def _flattened(data: bytes) -> bytes:
    """The same IDocs with every segment moved to the top of its IDOC, in document order."""
    root = etree.fromstring(data)
    for idoc in root.iter("IDOC"):
        segments = [e for e in idoc.iter() if e is not idoc and e.get("SEGMENT") == "1"]
        for seg in segments:
            idoc.append(seg)  # appended in document order: parents before their children
    return etree.tostring(root)


@pytest.mark.parametrize(
    "name", ["idoc_orders05.xml", "idoc_invoic02.xml", "idoc_wmmbid02_nested.xml"]
)
def test_flat_segments_read_as_the_nested_ones(name: str) -> None:
    nested = (WRITTEN / name).read_bytes()
    flat = _flattened(nested)
    assert flat != nested
    assert [r.fields for r in _records(flat)] == [r.fields for r in _records(nested)]


def test_items_nested_in_the_goods_movement_header_are_under_it() -> None:
    (record,) = _records((WRITTEN / "idoc_wmmbid02_nested.xml").read_bytes())
    items = record.fields["E1MBXYH"]["E1MBXYI"]
    assert [i["MATNR"] for i in items] == ["SKU-1001", "SKU-3003"]
    assert "E1MBXYI" not in record.fields


def test_flat_items_after_the_header_are_nested_into_it() -> None:
    records = _records((WRITTEN / "idoc_wmmbid02.xml").read_bytes())
    assert [len(r.fields["E1MBXYH"]["E1MBXYI"]) for r in records] == [2, 2]


def test_a_child_before_any_parent_and_an_unknown_segment_stay_at_the_top() -> None:
    idoc = etree.fromstring(
        b"<IDOC><EDI_DC40/><E1EDP19><QUALF>1</QUALF></E1EDP19><Z1OWN><X>1</X></Z1OWN>"
        b"<E1EDP01><POSEX>1</POSEX></E1EDP01><E1EDP19><QUALF>2</QUALF></E1EDP19>"
        b"<E1EDPT1><TDID>1</TDID></E1EDPT1><E1EDPT2><TDLINE>a</TDLINE></E1EDPT2></IDOC>"
    )
    before = copy.deepcopy(idoc)
    nest(idoc)
    assert [c.tag for c in idoc] == ["EDI_DC40", "E1EDP19", "Z1OWN", "E1EDP01"]
    item = idoc.find("E1EDP01")
    assert item is not None
    assert [c.tag for c in item] == ["POSEX", "E1EDP19", "E1EDPT1"]
    assert item.findtext("E1EDPT1/E1EDPT2/TDLINE") == "a"
    assert len(before) == 7


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("E2EDK01005", "E1EDK01"),
        ("E2EDKA1003", "E1EDKA1"),
        ("E2EDK03", "E1EDK03"),
        ("E2EDL20004", "E1EDL20"),
        ("Z2MYSEG000", "Z1MYSEG"),
        ("E1EDP19", "E1EDP19"),
    ],
)
def test_segment_definitions_name_their_segment_type(name: str, kind: str) -> None:
    assert segment_type(name) == kind


def test_segment_table_knows_parents_and_flat_layouts() -> None:
    item_id = segment("E1EDP19")
    assert item_id is not None
    assert item_id.parent == "E1EDP01"
    partner = segment("E1EDKA1")
    assert partner is not None
    assert partner.parent is None
    # ISOAL, the ISO country, follows PARVW..PARGE at character 659 of SDATA (WE60's layout)
    offset = 0
    for name, length in partner.fields:
        if name == "ISOAL":
            break
        offset += length
    assert offset == 659


def test_an_sap_order_confirmation_is_read_nested_as_sent() -> None:
    path = corpus_file("real/idoc/sapsamples_ordrsp-idoc.xml")
    (record,) = _records(path.read_bytes())
    assert record.context["message"] == "ORDERS05/ORDRSP"
    assert record.context["key"] == "5220230"
    items = record.fields["E1EDP01"]
    assert len(items) == 4
    ids = [i["E1EDP19"]["IDTNR"] for i in items]
    assert ids == ["MZ-FG-S100", "MZ-FG-S200", "MZ-FG-S300", "MZ-FG-S400"]
    partners = [p["PARVW"] for p in record.fields["E1EDKA1"]]
    assert partners == ["AG", "RE", "RG", "WE"]
