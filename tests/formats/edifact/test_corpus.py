"""Every EDIFACT document of the shared corpus reads, quirks included."""

from __future__ import annotations

from pathlib import Path

from connectors.formats.edifact import EdifactError, EdifactFormat, ServiceChars, SyntaxErrorCode
from connectors.formats.edifact.tokenizer import iter_segments, split_segment
from connectors.record import RawRecord


def _items(path: Path) -> list[RawRecord | EdifactError]:
    with path.open("rb") as fh:
        items = list(EdifactFormat().messages(fh, path.name))
    assert all(isinstance(i, RawRecord | EdifactError) for i in items)
    return items  # type: ignore[return-value]


def _one_record(path: Path) -> RawRecord:
    items = _items(path)
    assert len(items) == 1
    assert isinstance(items[0], RawRecord), items[0]
    return items[0]


def test_every_corpus_file_is_recognised_and_read(corpus: Path) -> None:
    files = sorted(corpus.glob("*.edi"))
    assert len(files) == 9
    for path in files:
        head = path.read_bytes()[:4096]
        assert EdifactFormat().sniff(head), path.name
        assert _items(path), path.name


def test_decimal_comma_una_is_read_and_quantities_use_a_point(corpus: Path) -> None:
    record = _one_record(corpus / "pydifact_order.edi")
    assert record.context["una"] == "UNA:+,? '"
    assert record.context["message"] == "ORDERS"
    assert record.context["version"] == "D:96A:UN"
    assert [line["QTY"][0][1][2] for line in record.fields["LIN"]] == ["8", "8"]


def test_missing_unz_is_tolerated_with_a_warning(corpus: Path) -> None:
    for name, ref in (("pydifact_order.edi", "807"), ("pydifact_order2.edi", "000000001")):
        record = _one_record(corpus / name)
        assert record.context["key"] == f"{ref}/1"
        assert record.context["warnings"] == [
            f"interchange {ref} ends without UNZ: its message count (1 read) could not be checked"
        ]


def test_release_characters_are_removed_and_protect_separators(corpus: Path) -> None:
    record = _one_record(corpus / "phpedifact_example_order_ok.edi")
    buyer = record.fields["NAD"][0]["NAD"]
    assert buyer[4][1] == "A+A K\ufffdlte GmbH"  # "A?+A": the plus is data, not a separator
    assert len(record.fields["LIN"]) == 146
    assert record.fields["CNT"][0][1][2] == "146"


def test_release_character_sample_splits_exactly_and_its_wrong_count_is_reported(
    corpus: Path,
) -> None:
    path = corpus / "phpedifact_example_release_character.edi"
    chars = ServiceChars.from_una(path.read_bytes()[:9])
    with path.open("rb") as fh:
        fh.seek(9)
        texts = [split_segment(s.text.decode(), chars) for s in iter_segments(fh, chars)]
    ift = [t[2][1] for t in texts if t[0] == "IFT"]
    assert ift[2:5] == ["NO MORE FLIGHTS 2?", "NO MORE ' FLIGHTS 3", "NO MORE ? FLIGHTS 3"]
    assert ift[5] == "NO MORE ?' FLIGHTS 3"
    assert [t[2][1] for t in texts if t[0] == "IFT"][8] == "FIELD 1?+FIELD 2"
    assert [t[2][1:] for t in texts if t[0] == "IFT"][-3:] == [
        ["FIELD 1.1", "FIELD 1.2"],
        ["FIELD 1.1?", "FIELD 1.2"],
        ["FIELD 1.1?:FIELD 1.2"],
    ]
    # the sample's UNT says 14 segments where its message has 23: a real error, reported
    (error,) = _items(path)
    assert isinstance(error, EdifactError)
    assert error.code is SyntaxErrorCode.CONTROL_COUNT_DOES_NOT_MATCH
    assert str(error) == (
        "phpedifact_example_release_character.edi, UNB ref 1, UNH ref 1, segment 23 "
        "(UNT, file segment 24), field UNT element 1 component 1: UNT declares '14' segments, "
        "the message has 23 (UNH to UNT) [0085 code 29]"
    )
    assert error.raw is not None
    assert error.raw.startswith(b"UNH+1+PAORES:93:1:IA'")
    assert error.raw.endswith(b"UNT+14+1'")


def test_interchange_on_one_line_reads_with_exact_message_bytes(corpus: Path) -> None:
    path = corpus / "phpedifact_example_wrapped.edi"
    record = _one_record(path)
    body = path.read_bytes()
    start = body.index(b"UNH+")
    end = body.index(b"UNT+13+1'") + len(b"UNT+13+1'")
    assert record.data == body[start:end]
    assert record.context["message"] == "PAORES"
    assert record.line == 2  # UNB is segment 1; the UNA advice is not a segment


def test_utf8_text_under_unoc_is_read_as_utf8(corpus: Path) -> None:
    record = _one_record(corpus / "phpedifact_example_utf8.edi")
    lines = record.fields["CPS"][0]["LIN"]
    assert lines[0]["IMD"][0][3][4] == "MUNCI\u00cb THE MIDDLE"
    assert record.context["sender"] == "1556150:31B"


def test_desadv_lines_nest_under_their_packing_level(corpus: Path) -> None:
    record = _one_record(corpus / "phpedifact_D96ADESADV.edi")
    (cps,) = record.fields["CPS"]
    assert [line["LIN"][1][1] for line in cps["LIN"]] == ["001", "002"]
    assert [r["RFF"][1][1] for r in cps["LIN"][1]["RFF"]] == ["LI", "ON"]


def test_invoice_groups_and_trailing_empty_component(corpus: Path) -> None:
    plain = _one_record(corpus / "pydifact_invoice1.edi")
    colon = _one_record(corpus / "pydifact_invoice_with_colon_at_end.edi")
    (line,) = plain.fields["LIN"]
    assert line["PRI"][0]["PRI"][1][1:] == ["AAA", "3630.1724", "", "NTP", "100", "C62"]
    assert [r["RFF"][1][1] for r in line["RFF"]] == ["SI", "ON", "TN"]
    assert line["RFF"][0]["DTM"][0][1][2] == "199909280000"
    assert colon.fields["NAD"][0]["RFF"][0]["RFF"][1] == ["VA:382324067:", "VA", "382324067", ""]
    assert plain.context["key"] == "PAYO0012101221/1"
