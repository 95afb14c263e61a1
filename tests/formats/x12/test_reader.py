"""X12Format reads every corpus interchange and names each broken rule exactly."""

from __future__ import annotations

import io

import pytest

from connectors.errors import RecordError
from connectors.formats.document import DocumentFormat
from connectors.formats.x12 import InterchangeHeader, X12Error, X12Format, render_interchange
from connectors.record import RawRecord
from mappings import corpus_root

# ../shared/corpus beside the checkout, as in CI (tests using it skip, named, without it)
CORPUS = corpus_root() / "x12"

# corpus file → (transaction sets read, of which bad)
EXPECTED = {
    "nodex12_850.edi": (1, 0),
    "nodex12_850_2.edi": (1, 0),  # line break as the segment terminator
    "nodex12_850_3.edi": (1, 0),
    "nodex12_850_fat.edi": (2, 0),  # two interchanges
    "nodex12_855.edi": (1, 0),
    "nodex12_856.edi": (1, 0),
    "stupidedi_002001_856_fail1.edi": (2, 0),  # ISA not padded to its fixed widths
    "stupidedi_003010_850_fail1.edi": (1, 1),  # SE01 says 28, the set holds 27
    "stupidedi_004010_810_pipe_separators.edi": (1, 0),
    "stupidedi_004010_850_pass1.edi": (1, 0),
    "stupidedi_004010_855_pass1.edi": (1, 0),
    "stupidedi_004010_856_dollar_terminator.edi": (1, 0),  # $ mixed with ~ and blank lines
    "stupidedi_004010_943_pass1.edi": (1, 0),
    "stupidedi_004010_944_pass1.edi": (1, 0),
    "stupidedi_004010_997_pass1.edi": (1, 0),
}


REAL = corpus_root() / "real" / "x12"

# real/ corpus file → (items read, of which errors); envelope errors are items of their own
EXPECTED_REAL = {
    "ediengine_850.Composite.SLN.OK.edi": (1, 0),
    "ediengine_850.SyntaxNotes.ERR.edi": (1, 0),  # its defects are in the data, not the syntax
    "ediengine_856.Crossdock.OK.edi": (1, 0),
    "edinet_x12.810a.edi": (1, 0),  # BOM, segments indented with tabs and spaces
    "edinet_x12.810c.edi": (1, 0),
    "edinet_x12.850.edi": (2, 1),  # IEA02 000000001 against ISA13 000000055
    "edinet_x12.850.issue135.edi": (2, 0),  # no ISA16; one DTM without its terminator
    "edinet_x12.850a.edi": (2, 1),  # IEA02 000000001 against ISA13 000000055
    "oboe_5-850.x12": (1, 0),  # separators 0x1D and 0x1C, one line
    "oboe_lfTestCase.edi": (12, 0),  # '~' separates elements, line feeds end segments
    "pythonedi_test_edi.txt": (1, 0),
    "staedi_simple997-multiple-interchanges.edi": (3, 0),
    "vscodeedisupport_850-loop.edi": (1, 0),
    "vscodeedisupport_X12-interchanges.x12": (3, 0),
    "vscodeedix12_old.edi": (1, 0),
}


def read(data: bytes, source: str = "t.x12") -> list[RawRecord | RecordError]:
    return list(X12Format().messages(io.BytesIO(data), source))


def interchange(*body: str, st: str = "0001", groups: int = 1, sets: int = 1) -> bytes:
    """A 004010 interchange around ``body`` (segments without terminators)."""
    lines = [
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*U*"
        "00401*000000007*0*P*>",
        "GS*PO*SENDER*RECEIVER*20260101*1200*42*X*004010",
        *body,
        f"GE*{sets}*42",
        f"IEA*{groups}*000000007",
    ]
    return "".join(line + "~\n" for line in lines).encode()


GOOD_850 = ("ST*850*0001", "BEG*00*NE*PO1**20260101", "PO1*1*2*EA*3.5**VN*X1", "SE*4*0001")


def test_x12_format_is_a_document_format() -> None:
    assert isinstance(X12Format(), DocumentFormat)
    assert X12Format().name == "x12"


@pytest.mark.usefixtures("shared_corpus")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_file_parses(name: str) -> None:
    items = read((CORPUS / name).read_bytes(), name)
    assert (len(items), sum(isinstance(i, RecordError) for i in items)) == EXPECTED[name]
    for item in items:
        assert item.context["key"].count("/") == 2
        assert item.context["where"].startswith(f"{name}, ISA13 ")


@pytest.mark.usefixtures("shared_corpus")
def test_corpus_list_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)
    assert sorted(p.name for p in REAL.iterdir()) == sorted(EXPECTED_REAL)


@pytest.mark.usefixtures("shared_corpus")
@pytest.mark.parametrize("name", sorted(EXPECTED_REAL))
def test_every_real_corpus_file_parses(name: str) -> None:
    data = (REAL / name).read_bytes()
    items = read(data, name)
    assert (len(items), sum(isinstance(i, RecordError) for i in items)) == EXPECTED_REAL[name]
    records = [i for i in items if isinstance(i, RawRecord)]
    # every byte after the BOM belongs to the ISA, GS, a set, or the trailers
    assert all(r.data in data for r in records)


@pytest.mark.usefixtures("shared_corpus")
def test_segments_indented_with_tabs_and_spaces_read_as_their_tags() -> None:
    (record,) = read((REAL / "edinet_x12.810a.edi").read_bytes())
    assert isinstance(record, RawRecord)
    assert record.fields["BIG"][1:3] == ["20030310", "DO091003TESTINV01"]
    assert [item["N1"][1] for item in record.fields["N1"]] == ["SO", "RI"]
    assert len(record.fields["IT1"]) == 2
    assert record.fields["CTT"] == ["CTT", "2"]


@pytest.mark.usefixtures("shared_corpus")
def test_isa_without_isa16_takes_the_tilde_as_terminator_and_a_lost_one_at_a_line_end() -> None:
    first, second = read((REAL / "edinet_x12.850.issue135.edi").read_bytes())
    assert isinstance(first, RawRecord)
    assert isinstance(second, RawRecord)
    assert first.context["separators"]["segment"] == "~"
    assert first.fields["BEG"] == ["BEG", "05", "CP", "740150", "", "20191001"]
    # the DTM that lost its '~' ends at its line: the PO1 after it is a line of its own
    assert [item["PO1"][1] for item in first.fields["PO1"]][:4] == ["10", "20", "30", "40"]
    assert len(first.fields["PO1"]) == int(first.fields["CTT"][1]) == 10
    assert first.fields["PO1"][1]["DTM"] == [["DTM", "002", "20190309"], ["DTM", "038", "20190309"]]
    assert len(second.fields["PO1"]) == int(second.fields["CTT"][1]) == 11


def test_a_line_that_lost_its_terminator_ends_at_its_line_break() -> None:
    data = interchange(
        "ST*850*0001", "BEG*00*NE*PO1**20260101", "PO1*1*2*EA*3.5**VN*X1", "SE*4*0001"
    ).replace(b"20260101~\n", b"20260101\n\t")
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    assert record.fields["BEG"] == ["BEG", "00", "NE", "PO1", "", "20260101"]
    assert record.fields["PO1"][0]["PO1"][7] == "X1"
    assert b"20260101\n\tPO1" in record.data  # the bytes are the file's


def test_a_segment_wrapped_at_a_fixed_width_reads_whole() -> None:
    flat = interchange(*GOOD_850).replace(b"~\n", b"~")
    wrapped = b"\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    (record,) = read(wrapped)
    (plain,) = read(flat)
    assert isinstance(record, RawRecord)
    assert isinstance(plain, RawRecord)
    assert record.fields == plain.fields


def test_zero_padded_group_and_interchange_counts_are_numbers() -> None:
    data = interchange(*GOOD_850).replace(b"GE*1*42", b"GE*000001*0042")
    data = data.replace(b"IEA*1*000000007", b"IEA*00001*000000007")
    (record,) = read(data)
    assert isinstance(record, RawRecord)


def test_a_padded_count_that_says_another_number_is_still_refused() -> None:
    items = read(interchange(*GOOD_850).replace(b"GE*1*42", b"GE*000002*42"))
    assert isinstance(items[-1], X12Error)
    assert items[-1].reason == "GE01 says '000002' transaction sets, the group holds 1"


@pytest.mark.usefixtures("shared_corpus")
def test_sniff_recognises_isa_only() -> None:
    fmt = X12Format()
    assert fmt.sniff((CORPUS / "stupidedi_004010_810_pipe_separators.edi").read_bytes()[:4096])
    assert not fmt.sniff(b"UNA:+.? 'UNB+UNOC:3")
    assert not fmt.sniff(b"ISAB")


@pytest.mark.usefixtures("shared_corpus")
def test_pipe_separated_810_reads_into_loops() -> None:
    (record,) = read((CORPUS / "stupidedi_004010_810_pipe_separators.edi").read_bytes())
    assert isinstance(record, RawRecord)
    assert record.fields["BIG"][2] == "00237058"
    assert [item["IT1"][9] for item in record.fields["IT1"]] == ["9781501331978", "9780316154680"]
    assert record.fields["IT1"][0]["PID"][0][5] == "Retail Buying From Basics to Fashion"
    assert record.context["key"] == "005639689/5639689/5639689"


@pytest.mark.usefixtures("shared_corpus")
def test_856_with_dollar_terminator_mixed_with_tilde_and_blank_lines() -> None:
    data = (CORPUS / "stupidedi_004010_856_dollar_terminator.edi").read_bytes()
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    ship_from = record.fields["HL"][0]["N1"][0]
    assert ship_from["N1"][2] == "SUPPLIER ABC INC"
    assert ship_from["N3"] == [["N3", "123 MAIN ST."]]  # ended by ~, then a blank line
    assert ship_from["N4"][0][1:4] == ["BEAUPORT", "QC", "G1K 8Y2"]
    assert record.data.startswith(b"ST*856*0000001$")
    assert record.data.endswith(b"SE*25*0000001$\n")


@pytest.mark.usefixtures("shared_corpus")
def test_850_tree_groups_po1_loops_with_children() -> None:
    (record,) = read((CORPUS / "nodex12_850.edi").read_bytes())
    assert isinstance(record, RawRecord)
    fields = record.fields
    assert fields["BEG"][3] == "08292233294"
    assert [r[1] for r in fields["REF"]] == ["DP", "PS"]
    assert len(fields["PO1"]) == 6
    assert fields["PO1"][1]["PID"][0][5] == "MEDIUM WIDGET"
    assert fields["PO1"][1]["PO4"] == [["PO4", "2", "2", "EA"]]
    assert fields["CTT"] == ["CTT", "6"]
    assert fields["AMT"] == [["AMT", "1", "13045.94"]]
    assert record.line == 3  # ST is the file's third segment


def test_wrong_se_count_names_segment_and_element() -> None:
    bad = ("ST*850*0001", "BEG*00*NE*PO1**20260101", "SE*5*0001")
    (error,) = read(interchange(*bad))
    assert isinstance(error, X12Error)
    assert str(error) == (
        "t.x12, ISA13 000000007, GS06 42, ST02 0001, segment 3 SE (file segment 5), "
        "field SE01: SE01 says 5 segments, the set holds 3 (ST through SE)"
    )
    assert error.set_code == "4"
    assert error.raw == b"ST*850*0001~\nBEG*00*NE*PO1**20260101~\nSE*5*0001~\n"


def test_se_control_number_mismatch() -> None:
    (error,) = read(interchange("ST*850*0001", "BEG*00*NE*PO1**20260101", "SE*3*0002"))
    assert isinstance(error, X12Error)
    assert error.field == "SE02"
    assert error.set_code == "3"
    assert error.reason == "SE02 '0002' does not match ST02 '0001'"


def test_bad_element_is_named_by_index() -> None:
    (error,) = read(interchange("ST*850*0001", "BEG*00*NE*PO1**20260101", "SE*x*0001"))
    assert isinstance(error, X12Error)
    assert str(error).endswith(
        "segment 3 SE (file segment 5), field SE01: SE01 'x' is not a number"
    )
    assert error.context["ak4"] == (1, "6", "x")


def test_invalid_bytes_name_the_element() -> None:
    data = interchange("ST*850*0001", "BEG*00*NE*PO\xff1**20260101", "SE*3*0001")
    data = data.replace("PO\xff1".encode(), b"PO\xff1")
    (error,) = read(data)
    assert isinstance(error, X12Error)
    assert error.location.endswith("segment 2 BEG (file segment 4)")
    assert error.field == "BEG03"
    assert error.reason == "element bytes are not UTF-8"


def test_missing_se_is_reported_and_next_set_still_reads() -> None:
    data = interchange("ST*850*0001", "BEG*00*NE*PO1**20260101", *GOOD_850[:0], sets=2)
    data = data.replace(b"GE*2*42", b"ST*850*0002~\nBEG*00*NE*PO2**20260101~\nSE*3*0002~\nGE*2*42")
    first, second = read(data)
    assert isinstance(first, X12Error)
    assert isinstance(second, RawRecord)
    assert first.reason == "ST 0001 has no SE trailer before ST"
    assert first.location.endswith("ST02 0001, segment 3 ST (file segment 5)")
    assert first.set_code == "2"
    assert second.fields["BEG"][3] == "PO2"


def test_one_bad_set_in_an_interchange_leaves_the_others() -> None:
    bad = ("ST*850*0002", "BEG*00*NE*PO2**20260101", "SE*9*0002")
    items = read(interchange(*GOOD_850, *bad, *GOOD_850[:-1], "SE*4*0001", sets=3))
    assert [type(i).__name__ for i in items] == ["RawRecord", "X12Error", "RawRecord"]


def test_group_count_mismatch_is_an_error_after_the_sets() -> None:
    items = read(interchange(*GOOD_850, sets=2))
    assert isinstance(items[0], RawRecord)
    error = items[1]
    assert isinstance(error, X12Error)
    assert str(error) == (
        "t.x12, ISA13 000000007, GS06 42, file segment 7 GE, field GE01: "
        "GE01 says '2' transaction sets, the group holds 1"
    )
    assert error.group_code == "5"


def test_interchange_control_number_mismatch() -> None:
    data = interchange(*GOOD_850).replace(b"IEA*1*000000007", b"IEA*1*000000008")
    error = read(data)[-1]
    assert isinstance(error, X12Error)
    assert error.field == "IEA02"
    assert error.reason == "IEA02 '000000008' does not match ISA13 '000000007'"


def test_missing_trailers_at_end_of_file() -> None:
    data = interchange(*GOOD_850).split(b"GE*")[0]
    items = read(data)
    assert isinstance(items[0], RawRecord)
    assert [str(e) for e in items[1:]] == [
        "t.x12, ISA13 000000007, GS06 42, end of file: GS 42 has no GE before end of file",
        "t.x12, ISA13 000000007, end of file: ISA 000000007 has no IEA before end of file",
    ]


def test_unreadable_isa_is_refused_whole() -> None:
    with pytest.raises(RecordError, match="fewer than 16 elements"):
        read(b"ISA*00*short~")


def test_an_isa_with_one_element_too_many_or_too_few_is_refused_naming_the_count() -> None:
    # X12.5 fixes the ISA at 16 elements; these are the test interchange's ISA with an
    # element added after ISA11, or ISA11 left out: 106 bytes less "U*" and a line break,
    # so its GS starts at byte 105
    extra = interchange(*GOOD_850).replace(b"*U*00401*", b"*U*X*00401*", 1)
    with pytest.raises(RecordError) as caught:
        read(extra)
    assert caught.value.reason.endswith(": the ISA has at least 17 elements, X12.5 defines 16")
    missing = interchange(*GOOD_850).replace(b"*U*00401*", b"*00401*", 1)
    with pytest.raises(RecordError) as caught:
        read(missing)
    assert caught.value.reason.endswith(
        ": the ISA has 15 elements, X12.5 defines 16 (the GS segment after it starts at byte 105)"
    )


def test_bom_and_leading_blank_lines_are_skipped() -> None:
    (record,) = read(b"\xef\xbb\xbf\r\n" + interchange(*GOOD_850))
    assert isinstance(record, RawRecord)


def test_carriage_return_line_feed_layout() -> None:
    data = interchange(*GOOD_850).replace(b"\n", b"\r\n")
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    assert record.fields["PO1"][0]["PO1"][7] == "X1"


def test_composite_elements_split_into_components() -> None:
    (record,) = read(
        interchange("ST*850*0001", "BEG*00*NE*PO1**20260101", "MEA*PD*G>X*3", "SE*4*0001")
    )
    assert isinstance(record, RawRecord)
    assert record.fields["MEA"] == [["MEA", "PD", ["G", "X"], "3"]]


def test_segments_are_streamed_across_chunk_boundaries() -> None:
    sets = [
        f"ST*850*{n:04d}~BEG*00*NE*PO{n}**20260101~PO1*1*2*EA*3.5**VN*{'X' * 300}~SE*4*{n:04d}~"
        for n in range(1, 5001)
    ]
    data = interchange(sets=5000).replace(b"GE*5000", "".join(sets).encode() + b"GE*5000")
    items = read(data)
    assert len(items) == 5000
    assert all(isinstance(i, RawRecord) for i in items)
    assert len(data) > 1 << 20  # more than one read chunk


@pytest.mark.usefixtures("shared_corpus")
def test_later_interchange_with_other_separators_is_cut_with_its_own() -> None:
    pipe = (CORPUS / "stupidedi_004010_810_pipe_separators.edi").read_bytes()
    dollar = (CORPUS / "stupidedi_004010_856_dollar_terminator.edi").read_bytes()
    star = (CORPUS / "nodex12_850_2.edi").read_bytes()  # line breaks end its segments
    items = read(pipe + dollar + star + pipe)
    assert [i.context["message"] for i in items] == ["810", "856", "850", "810"]
    assert all(isinstance(i, RawRecord) for i in items)
    assert items[2].context["separators"]["segment"] == "\n"
    assert items[3].fields == items[0].fields


@pytest.mark.usefixtures("shared_corpus")
@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_tiny_read_chunks_give_the_same_sets(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [CORPUS / name for name in sorted(EXPECTED)]
    data = b"".join(path.read_bytes() for path in files)
    whole = read(data)
    monkeypatch.setattr("connectors.formats.x12.segments._CHUNK", chunk)
    pieces = read(data)
    assert [i.context["key"] for i in pieces] == [i.context["key"] for i in whole]
    assert [getattr(i, "fields", None) for i in pieces] == [
        getattr(i, "fields", None) for i in whole
    ]
    assert [getattr(i, "data", None) for i in pieces] == [getattr(i, "data", None) for i in whole]


def test_control_numbers_that_break_their_syntax_are_reported() -> None:
    data = interchange(*GOOD_850).replace(b"000000007", b"00000007X").replace(b"*42*", b"*4A*")
    items = read(data.replace(b"GE*1*42", b"GE*1*4A"))
    assert [type(i).__name__ for i in items] == ["X12Error", "X12Error", "RawRecord"]
    assert str(items[0]) == (
        "t.x12, ISA13 00000007X, file segment 1 ISA, field ISA13: "
        "ISA13 '00000007X' is not a 9 digit control number"
    )
    assert str(items[1]).endswith("field GS06: GS06 '4A' is not a 1 to 9 digit control number")
    assert isinstance(items[1], X12Error)
    assert items[1].group_code == "6"


def test_a_dead_lettered_set_replays_from_its_bytes_and_context() -> None:
    bad = ("ST*850*0002", "BEG*00*NE*PO2**20260101", "SE*9*0002")
    good, error = read(interchange(*GOOD_850, *bad, sets=2))
    assert isinstance(good, RawRecord)
    assert isinstance(error, X12Error)
    assert error.raw is not None

    again = X12Format().parse_message(good.data, good.context, "t.x12")
    assert isinstance(again, RawRecord)
    assert again.fields == good.fields
    assert again.context["key"] == good.context["key"]

    fixed = error.raw.replace(b"SE*9*0002", b"SE*3*0002")
    replayed = X12Format().parse_message(fixed, error.context, "t.x12")
    assert isinstance(replayed, RawRecord)
    assert replayed.fields["BEG"][3] == "PO2"
    assert replayed.context["key"] == "000000007/42/0002"


def test_a_once_only_segment_repeated_refuses_its_set_naming_the_segment() -> None:
    header = InterchangeHeader(
        "S", "R", control_number=3, group_control_number=4, functional_id="PO"
    )
    data = render_interchange(
        header, [("850", [["BEG", "00", "SA", "PO-1"], ["BEG", "00", "SA", "PO-2"]])]
    )
    [item] = list(X12Format().messages(io.BytesIO(data), "twice.x12"))
    assert isinstance(item, RecordError)
    assert "segment 3 BEG" in str(item)  # ST is segment 1 of the set
    assert "may occur once here; it repeats" in str(item)
    assert item.raw is not None
    assert b"PO-2" in item.raw  # the bytes travel with the letter


def test_a_ta1_interchange_acknowledgment_is_a_record_of_its_own_kind() -> None:
    # written here from X12.5: TA1 (TA101 the acknowledged ISA13, TA102/103 its date and
    # time, TA104 A accepted, TA105 000 no error) sits between ISA and the first GS and is
    # no functional group, so IEA01 still counts the one group
    data = interchange(*GOOD_850).replace(b"GS*", b"TA1*000000005*260101*1130*A*000~\nGS*", 1)
    ack, order = read(data)
    assert isinstance(ack, RawRecord), ack
    assert isinstance(order, RawRecord)
    assert ack.context["message"] == "TA1"
    assert ack.fields["TA1"] == [["TA1", "000000005", "260101", "1130", "A", "000"]]
    assert (
        ack.context["where"] == "t.x12, ISA13 000000007, TA1 for ISA13 000000005 (file segment 2)"
    )
    assert ack.data == b"TA1*000000005*260101*1130*A*000~\n"
    assert order.fields["BEG"][3] == "PO1"


def test_an_interchange_of_ta1_alone_reads_without_error() -> None:
    # X12.5 allows an interchange that holds only TA1 segments: IEA01 is 0 functional groups
    isa = interchange().split(b"GS*")[0]
    items = read(isa + b"TA1*000000005*260101*1130*R*022~\nIEA*0*000000007~\n")
    assert [(type(i).__name__, i.context["message"]) for i in items] == [("RawRecord", "TA1")]
