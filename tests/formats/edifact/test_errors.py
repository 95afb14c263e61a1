"""A bad message names where it breaks and why; the interchange's other messages still go."""

from __future__ import annotations

import pytest

from connectors.formats.edifact import EdifactError, EdifactFormat, ServiceChars, SyntaxErrorCode
from connectors.formats.edifact.tokenizer import split_segment
from connectors.record import RawRecord

from .conftest import read

UNB = b"UNB+UNOC:3+SENDER:14+RECEIVER:14+240605:0930+IC1'\n"


def _message(ref: str, body: bytes, count: int | None = None) -> bytes:
    segments = body.count(b"'") + 2
    head = b"UNH+" + ref.encode() + b"+ORDERS:D:96A:UN'\n"
    trailer = b"UNT+" + str(count or segments).encode() + b"+" + ref.encode() + b"'\n"
    return head + body + trailer


GOOD = b"BGM+220+PO1+9'\nQTY+21:5'\n"


def _only_error(data: bytes) -> EdifactError:
    (item,) = read(data)
    assert isinstance(item, EdifactError), item
    return item


def test_one_bad_message_is_reported_alone_and_the_others_still_come() -> None:
    bad = _message("M2", b"BGM+220+PO2+9'\nQTY+21:x5'\n")
    data = UNB + _message("M1", GOOD) + bad + _message("M3", GOOD) + b"UNZ+3+IC1'\n"
    items = read(data)
    assert [type(i) for i in items] == [RawRecord, EdifactError, RawRecord]
    first, error, third = items
    assert isinstance(first, RawRecord)
    assert isinstance(third, RawRecord)
    assert isinstance(error, EdifactError)
    assert [first.context["key"], third.context["key"]] == ["IC1/M1", "IC1/M3"]
    assert str(error) == (
        "test.edi, UNB ref IC1, UNH ref M2, segment 3 (QTY, file segment 8), "
        "field QTY element 1 component 2: 'x5' is not a number [0085 code 37]"
    )
    assert error.raw == bad.rstrip(b"\n")
    assert (error.interchange_ref, error.message_ref, error.segment_position) == ("IC1", "M2", 3)
    assert (error.tag, error.element, error.component) == ("QTY", 1, 2)
    # the place the hub shows and dead-letters (MessageOutcome.where) is the faulty segment's,
    # as CONTRL's UCS names it: QTY is segment 3 of M2 (UNH = 1), file segment 8 (UNB = 1)
    assert error.context["where"] == (
        "test.edi, UNB ref IC1, UNH ref M2, segment 3 (QTY, file segment 8)"
    )


def test_wrong_decimal_mark_is_named_with_both_marks() -> None:
    data = b"UNA:+,? '" + UNB + _message("M1", b"PRI+AAA:1.5'\n") + b"UNZ+1+IC1'"
    error = _only_error(data)
    assert error.code is SyntaxErrorCode.INVALID_DECIMAL_NOTATION
    assert str(error) == (
        "test.edi, UNB ref IC1, UNH ref M1, segment 2 (PRI, file segment 3), "
        "field PRI element 1 component 2: number '1.5' uses decimal mark '.'; "
        "the interchange declares ',' [0085 code 19]"
    )


def test_unt_reference_must_match_unh() -> None:
    data = UNB + b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'UNT+3+M9'UNZ+1+IC1'"
    error = _only_error(data)
    assert error.code is SyntaxErrorCode.REFERENCES_DO_NOT_MATCH
    assert str(error) == (
        "test.edi, UNB ref IC1, UNH ref M1, segment 3 (UNT, file segment 4), "
        "field UNT element 2 component 1: UNT reference 'M9' does not match UNH reference "
        "'M1' [0085 code 28]"
    )


def test_message_without_unt_is_reported_and_the_next_one_read() -> None:
    data = UNB + b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'" + _message("M2", GOOD) + b"UNZ+2+IC1'"
    error, record = read(data)
    assert isinstance(error, EdifactError)
    assert isinstance(record, RawRecord)
    assert str(error) == (
        "test.edi, UNB ref IC1, UNH ref M1, segment 2 (UNT, file segment 3): message has no "
        "UNT trailer: UNH at file segment 4 came first [0085 code 13]"
    )
    assert error.raw == b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'"
    assert record.context["key"] == "IC1/M2"


def test_truncated_file_reports_the_open_message() -> None:
    error = _only_error(UNB + b"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1'QTY+21:")
    assert "message has no UNT trailer: the end of the file came first" in str(error)
    assert error.raw is not None
    assert error.raw.endswith(b"QTY+21:")


def test_unz_count_mismatch_is_reported_after_the_messages() -> None:
    data = UNB + _message("M1", GOOD) + b"UNZ+2+IC1'"
    record, error = read(data)
    assert isinstance(record, RawRecord)
    assert record.context["warnings"] == []
    assert isinstance(error, EdifactError)
    assert str(error) == (
        "test.edi, UNB ref IC1, segment 6 (UNZ), field UNZ element 1: UNZ declares '2' "
        "messages, the interchange holds 1 [0085 code 29]"
    )
    assert error.raw == b"UNZ+2+IC1'"
    # UNB is file segment 1, M1 is 2 to 5: UNZ is segment 6 of interchange IC1
    assert error.context["where"] == "test.edi, UNB ref IC1, segment 6 (UNZ)"


def test_unz_reference_mismatch() -> None:
    _, error = read(UNB + _message("M1", GOOD) + b"UNZ+1+IC2'")
    assert isinstance(error, EdifactError)
    assert error.code is SyntaxErrorCode.REFERENCES_DO_NOT_MATCH
    assert "UNZ reference 'IC2' does not match UNB reference 'IC1'" in str(error)


def test_functional_group_counts_are_checked() -> None:
    group = b"UNG+ORDERS+S+R+240605:0930+G1+UN+D:96A'" + _message("M1", GOOD) + b"UNE+2+G1'"
    record, error = read(UNB + group + b"UNZ+1+IC1'")
    assert isinstance(record, RawRecord)
    assert isinstance(error, EdifactError)
    assert "UNE declares '2' messages, the group holds 1" in str(error)
    # UNB 1, UNG 2, M1 3 to 6: UNE is file segment 7
    assert error.context["where"] == "test.edi, UNB ref IC1, segment 7 (UNE)"


def test_bytes_not_in_the_character_set_are_located() -> None:
    data = UNB.replace(b"UNOC", b"UNOA") + _message("M1", b"BGM+220+PO\xff1+9'\n") + b"UNZ+1+IC1'"
    error = _only_error(data)
    assert error.code is SyntaxErrorCode.INVALID_CHARACTERS
    assert str(error) == (
        "test.edi, UNB ref IC1, UNH ref M1, segment 2 (BGM, file segment 3), field BGM "
        "element 2: byte 0xff is not valid in UNOA:3 text [0085 code 21]"
    )


def test_latin1_text_under_unoc_is_decoded_with_the_declared_set() -> None:
    data = UNB + _message("M1", b"NAD+BY+1::9++M\xfcller'\n") + b"UNZ+1+IC1'"
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    assert record.fields["NAD"][0]["NAD"][4][1] == "M\u00fcller"


def test_bad_segment_tag_and_dangling_release() -> None:
    bad_tag = _only_error(UNB + _message("M1", b"bgm+220'") + b"UNZ+1+IC1'")
    assert "segment tag 'bgm' is not three capital letters or digits [0085 code 12]" in str(bad_tag)
    (record,) = read(UNB + b"UNH+M1+ORDERS:D:96A:UN'FTX+AAA+++a??'UNT+3+M1'UNZ+1+IC1'")
    assert isinstance(record, RawRecord)  # "??" is a released "?", then a real terminator
    assert record.fields["FTX"][0][4][1] == "a?"
    with pytest.raises(ValueError, match="releases nothing"):
        split_segment("FTX+AAA+++a?", ServiceChars())


def test_a_segment_between_messages_is_reported_alone() -> None:
    data = UNB + b"FTX+AAA+++stray'" + _message("M1", GOOD) + b"UNZ+1+IC1'"
    error, record = read(data)
    assert isinstance(record, RawRecord)
    assert str(error) == (
        "test.edi, UNB ref IC1, segment 2 (FTX): segment FTX outside any UNH..UNT message "
        "[0085 code 15]"
    )


def test_broken_envelopes_are_raised() -> None:
    with pytest.raises(EdifactError, match="UNG before any UNB interchange header"):
        read(b"UNG+ORDERS+S+R+240605:0930+G1+UN+D:96A'" + _message("M1", GOOD))
    with pytest.raises(EdifactError, match="must be different ASCII"):
        read(b"UNA::.? 'UNB+UNOC:3+S+R+240605:0930+IC1'")
    with pytest.raises(EdifactError, match=r"UNB has no interchange control reference"):
        read(b"UNB+UNOC:3+S+R+240605:0930'")


def test_a_new_unb_without_the_previous_unz_warns_on_the_last_message() -> None:
    second = UNB.replace(b"IC1", b"IC2")
    data = UNB + _message("M1", GOOD) + second + _message("M1", GOOD) + b"UNZ+1+IC2'"
    first, last = read(data)
    assert isinstance(first, RawRecord)
    assert isinstance(last, RawRecord)
    assert first.context["warnings"] == [
        "interchange IC1 ends without UNZ: its message count (1 read) could not be checked"
    ]
    assert last.context["warnings"] == []
    assert [first.context["key"], last.context["key"]] == ["IC1/M1", "IC2/M1"]


def test_any_service_characters_the_una_declares_are_used() -> None:
    data = (
        b"UNA|*,! ~\r\n"
        b"UNB*UNOC|3*S|14*R|14*240605|0930*IC1~\r\n"
        b"UNH*M1*ORDERS|D|96A|UN~\r\n"
        b"FTX*AAA***a!*b!|c!~d!!~\r\n"
        b"QTY*21|2,5~\r\n"
        b"UNT*4*M1~\r\n"
        b"UNZ*1*IC1~\r\n"
    )
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    assert record.fields["FTX"][0][4][1:] == ["a*b|c~d!"]
    assert record.fields["QTY"][0][1][1:] == ["21", "2.5"]
    assert record.context["una"] == "UNA|*,! ~"
    again = EdifactFormat().parse_record(
        record.data, dict(record.context), source="again.edi", line=record.line
    )
    assert again.fields == record.fields


def test_a_trailer_ending_the_file_with_a_release_character_is_still_read() -> None:
    (record,) = read(UNB + _message("M1", GOOD) + b"UNZ+1+IC1?")
    assert isinstance(record, RawRecord)  # the trailer reads as UNZ+1+IC1: count and ref match
    assert record.context["key"] == "IC1/M1"
    assert record.context["warnings"] == []


def test_non_ascii_digits_are_not_numbers() -> None:
    for digits in ("²", "\u0663"):  # superscript two, Arabic-Indic three
        data = UNB + f"UNH+M1+ORDERS:D:96A:UN'UNT+{digits}+M1'".encode() + b"UNZ+1+IC1'"
        error = _only_error(data)
        assert error.code is SyntaxErrorCode.INVALID_TYPE_OF_CHARACTERS
        assert f"{digits!r} is not a number" in str(error)
    trailer = UNB + _message("M1", GOOD) + "UNZ+\u0661+IC1'".encode()
    _, unz = read(trailer)
    assert isinstance(unz, EdifactError)
    assert unz.code is SyntaxErrorCode.CONTROL_COUNT_DOES_NOT_MATCH


def test_messages_without_interchange_envelope_are_read_with_a_warning() -> None:
    data = b"UNA:+.? '\n" + _message("M1", GOOD) + _message("M2", GOOD)
    first, second = read(data)
    assert isinstance(first, RawRecord)
    assert isinstance(second, RawRecord)
    assert [first.context["key"], second.context["key"]] == ["M1", "M2"]
    assert first.context["interchange"] is None
    assert first.context["where"] == "test.edi, UNH ref M1, segment 1"
    assert first.context["warnings"] == [
        "the message came without UNB interchange header (ISO 9735 makes UNB/UNZ mandatory): "
        "its sender, recipient and interchange reference are unknown"
    ]
    assert first.fields["QTY"][0][1][1:] == ["21", "5"]
    again = EdifactFormat().parse_record(
        first.data, dict(first.context), source="again.edi", line=first.line
    )
    assert again.fields == first.fields
    # a bare message opens the document (no UNA): still recognised
    assert EdifactFormat().sniff(_message("M1", GOOD))
    (bare,) = read(_message("M1", GOOD))
    assert isinstance(bare, RawRecord)


def test_a_bare_message_with_a_wrong_count_is_located_without_an_interchange() -> None:
    error = _only_error(_message("M1", GOOD, count=9))
    assert str(error).startswith("test.edi, UNH ref M1, segment 4 (UNT, file segment 4)")
    assert error.interchange_ref is None


def test_undeclared_delimiters_are_read_as_the_unb_shows_them() -> None:
    data = (
        b'UNB"UNOB=1"S=ZZ"R=ZZ"240605=0930"IC1;UNH"M1"ORDERS=D=96A=UN;'
        b'BGM"220"PO1;QTY"21=5;UNT"4"M1;UNZ"1"IC1;'
    )
    (record,) = read(data)
    assert isinstance(record, RawRecord), record
    assert record.fields["QTY"][0][1][1:] == ["21", "5"]
    assert record.context["warnings"] == [
        "no UNA service string advice declares the delimiters this interchange uses: read as "
        "the UNB header shows them (component '=', element '\"', terminator ';')"
    ]
    again = EdifactFormat().parse_record(
        record.data, dict(record.context), source="again.edi", line=record.line
    )
    assert again.fields == record.fields


def test_level_b_information_separators_are_the_defaults_without_una() -> None:
    data = (
        b"UNB\x1dUNOB\x1f1\x1dS\x1dR\x1d240605\x1f0930\x1dIC1\x1c"
        b"UNH\x1dM1\x1dORDERS\x1fD\x1f96A\x1fUN\x1c"
        b"FTX\x1dAAA\x1d\x1d\x1dWhat?\x1c"
        b"UNT\x1d3\x1dM1\x1cUNZ\x1d1\x1dIC1\x1c"
    )
    (record,) = read(data)
    assert isinstance(record, RawRecord), record
    assert record.fields["FTX"][0][4][1] == "What?"  # no release character in level B
    assert record.context["warnings"] == []


def test_a_space_in_the_una_release_position_means_no_release_character() -> None:
    chars = ServiceChars.from_una(b"UNA:+.  '")
    assert chars.release == ""
    assert chars.una() == "UNA:+.  '"
    data = b"UNA:+.  'UNB+UNOC:3+S+R+240605:0930+IC1'UNH+M1+ORDERS:D:96A:UN'FTX+AAA+++Why?'"
    (record,) = read(data + b"UNT+3+M1'UNZ+1+IC1'")
    assert isinstance(record, RawRecord), record
    assert record.fields["FTX"][0][4][1] == "Why?"


def test_references_that_differ_only_by_leading_zeros_match() -> None:
    data = UNB.replace(b"IC1", b"000000916") + _message("M1", GOOD) + b"UNZ+1+916'"
    (record,) = read(data)
    assert isinstance(record, RawRecord)
    _, unz = read(UNB + _message("M1", GOOD) + b"UNZ+1+IC01'")
    assert isinstance(unz, EdifactError)
    assert unz.code is SyntaxErrorCode.REFERENCES_DO_NOT_MATCH


def test_a_unt_count_leaving_out_unh_and_unt_is_named_so() -> None:
    error = _only_error(UNB + _message("M1", GOOD, count=2) + b"UNZ+1+IC1'")
    assert (
        "UNT declares '2' segments, the message has 4 (UNH to UNT): the count leaves out UNH"
        in (str(error))
    )


def test_messages_that_repeat_a_reference_get_keys_of_their_own() -> None:
    # many senders number every message 1: their events must not share ids
    data = UNB + _message("1", GOOD) + _message("1", GOOD) + _message("2", GOOD) + b"UNZ+3+IC1'"
    keys = [item.context["key"] for item in read(data)]
    assert keys == ["IC1/1", "IC1/1#2", "IC1/2"]
