"""Never silent: a recognised document ends as events, errors, or counted technical messages.

The documents here are written in the tests from the standards' envelopes (X12 004010 ISA/GS/ST,
UN/EDIFACT syntax 3 UNB/UNH): an 856 no spec reads, 997 acknowledgments, an INVRPT without
lines, an envelope with no message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.formats.x12 import InterchangeHeader, render_interchange
from hub.cli.app import app
from hub.config import Settings
from hub.file_source import FileOutcome
from hub.golden import run_golden_case
from hub.inbox import Inbox
from hub.message_types import MESSAGE_TYPES, UnsupportedMessage, message_type
from hub.runtime import Hub
from hub.translate import TranslationReport, translate_file
from mappings import GoldenCase, SpecRegistry

_WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _x12(functional_id: str, *sets: tuple[str, list[list[str]]]) -> bytes:
    header = InterchangeHeader("SENDER", "CROSSDOCK", 7, 7, functional_id, when=_WHEN)
    return render_interchange(header, list(sets))


ASN = _x12(
    "SH",
    ("856", [["BSN", "00", "SHP-1", "20260302", "0930"], ["HL", "1", "", "S"], ["CTT", "0"]]),
)
ACKS = _x12(
    "FA",
    ("997", [["AK1", "PO", "41"], ["AK9", "A", "1", "1", "1"]]),
    ("997", [["AK1", "PO", "42"], ["AK9", "A", "1", "1", "1"]]),
)
EMPTY_INVRPT = (
    b"UNA:+.? 'UNB+UNOC:3+SENDER:14+CROSSDOCK:14+260302:0930+IC1'"
    b"UNH+M1+INVRPT:D:96A:UN'BGM+35+R1'DTM+137:20260302:102'UNT+4+M1'UNZ+1+IC1'"
)
# written here from ISO 9735: an interchange whose UNZ trailer never came (each message is
# whole and checked by its own UNH..UNT; only UNZ's count of 1 cannot be checked)
NO_UNZ = (
    b"UNA:+.? 'UNB+UNOC:3+SENDER:14+CROSSDOCK:14+260302:0930+IC1'"
    b"UNH+M1+CONTRL:D:3:UN'UCI+IC0+SENDER:14+CROSSDOCK:14+7'UNT+3+M1'"
)
ENVELOPE_ONLY = b"UNA:+.? 'UNB+UNOC:3+SENDER:14+CROSSDOCK:14+260302:0930+IC1'UNZ+0+IC1'"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_message_type_no_spec_reads_is_refused_by_name_with_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["translate", str(_write(tmp_path, "asn.x12", ASN))])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "unsupported message X12 856 (Ship Notice/Manifest)" in result.stderr
    assert "ST02 0001" in result.stderr  # located: which set of which interchange


def test_functional_acknowledgments_are_counted_as_ignored_and_exit_0(tmp_path: Path) -> None:
    path = _write(tmp_path, "acks.x12", ACKS)
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (
        "ignored: 2 X12 997 functional acknowledgment(s), not business documents" in result.stderr
    )
    report = TranslationReport(path)
    assert list(translate_file(path, Settings(), connector="stock-count", report=report))
    assert (report.events, report.errors, report.ignored) == (0, 0, 2)
    assert report.messages == {"997": 2}


def test_an_interchange_acknowledgment_is_counted_as_ignored_beside_the_orders(
    tmp_path: Path,
) -> None:
    # X12.5: a TA1 between ISA and GS acknowledges an interchange; it is no business document
    order = _x12("PO", ("850", [["BEG", "00", "NE", "PO-1", "", "20260302"], ["CTT", "0"]]))
    ta1 = b"TA1*000000006*260302*0930*A*000~"
    head, rest = order.split(b"GS*", 1)
    path = _write(tmp_path, "ta1.x12", head + ta1 + b"GS*" + rest)
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert "ignored: 1 X12 TA1 interchange acknowledgment(s), not business documents" in (
        result.stderr
    )
    assert "TA1" not in result.stderr.replace("ignored: 1 X12 TA1", "")  # no error names it
    report = TranslationReport(path)
    list(translate_file(path, Settings(), connector="stock-count", report=report))
    assert (report.ignored, report.messages["TA1"], report.messages["850"]) == (1, 1, 1)


def test_a_message_whose_spec_finds_nothing_to_map_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "stock.edi", EMPTY_INVRPT)
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 1
    assert "UNH ref M1" in result.stderr
    assert "the message gave no event" in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.edi", ENVELOPE_ONLY, "no EDIFACT message in the document"),
        ("empty.csv", b"store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n", "no data"),
    ],
)
def test_a_file_with_no_message_or_row_is_an_error(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    result = CliRunner().invoke(app, ["translate", str(_write(tmp_path, name, data))])
    assert result.exit_code == 1
    assert expected in result.stderr


def test_the_hub_dead_letters_an_unsupported_message_with_its_bytes(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = inbox.root / "asn.x12"
    path.parent.mkdir(parents=True)
    path.write_bytes(ASN)
    with Hub(Settings(data_dir=tmp_path / "data")) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.records, outcome.published, outcome.dead_lettered) == (1, 0, 1)
        (letter,) = hub.dead_letters.list()
    assert letter.stage == "unsupported"
    assert letter.reason.startswith("unsupported message X12 856 (Ship Notice/Manifest)")
    assert letter.payload.startswith(b"ST*856*0001")
    assert letter.context["format"] == "x12"


def test_the_hub_counts_ignored_acknowledgments_and_refuses_an_empty_envelope(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.*")
    inbox.root.mkdir(parents=True)
    acks, empty = inbox.root / "acks.x12", inbox.root / "empty.edi"
    acks.write_bytes(ACKS)
    empty.write_bytes(ENVELOPE_ONLY)
    with Hub(Settings(data_dir=tmp_path / "data")) as hub:
        outcome = hub.process_inbox_file(inbox, acks, "documents")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.records, outcome.ignored, outcome.dead_lettered) == (2, 2, 0)
        refused = hub.process_inbox_file(inbox, empty, "documents")
        assert not isinstance(refused, FileOutcome)
        assert "no edifact message in the document" in str(refused)
        (letter,) = hub.dead_letters.list()
    assert (inbox.root / "failed" / "empty.edi").exists()
    assert "no edifact message" in letter.reason


def test_every_mapped_message_type_is_named_and_no_ignored_type_has_a_spec() -> None:
    registry = SpecRegistry.from_directory()
    mapped = {(m.source_format, m.source_message) for m in registry if m.source_format != "csv"}
    assert {key for key in mapped if key not in MESSAGE_TYPES} == set()
    ignored = {key for key, kind in MESSAGE_TYPES.items() if kind.ignored_because}
    assert ignored == {
        ("x12", "997"),
        ("x12", "999"),
        ("x12", "TA1"),
        ("edifact", "CONTRL"),
        ("poslog", "ControlTransaction"),
        ("poslog", "void"),
        ("poslog", "non_merchandise"),
        ("poslog", "TenderControlTransaction"),
        ("poslog", "FunctionLog"),
    }
    assert ignored & mapped == set()


def test_an_unlisted_type_is_refused_by_its_code() -> None:
    kind = message_type("x12", "753")
    assert kind.ignored_because is None
    assert str(UnsupportedMessage(kind)).startswith("unsupported message X12 753:")


def test_a_refusal_golden_case_passes_only_when_the_document_is_refused_so(
    tmp_path: Path,
) -> None:
    asn = _write(tmp_path, "asn.in.x12", ASN)
    expected = _write(tmp_path, "asn.refused.txt", b"unsupported message X12 856\n")
    ok = run_golden_case(None, GoldenCase("asn", asn, expected), "x12")
    assert (ok.differences, ok.refusals) == ([], 1)
    wrong = _write(tmp_path, "wrong.refused.txt", b"unsupported message X12 940\n")
    failed = run_golden_case(None, GoldenCase("asn", asn, wrong), "x12")
    assert len(failed.differences) == 1
    assert "no error contains 'unsupported message X12 940'" in failed.differences[0]


def test_till_cash_handling_is_ignored_with_its_reason_not_refused() -> None:
    # till loans and pickups are in every store day's log and carry no stock or order
    kind = message_type("poslog", "TenderControlTransaction")
    assert kind.ignored_because is not None
    assert "till loans" in kind.ignored_because


def test_a_tolerated_envelope_defect_is_said_by_translate_and_the_hub(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path, "no-unz.edi", NO_UNZ)
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 0, result.stderr
    warning = "interchange IC1 ends without UNZ: its message count (1 read) could not be checked"
    # the message is M1 of IC1, its UNH the interchange's second segment (UNB is the first)
    assert f"{path}, UNB ref IC1, UNH ref M1, segment 2: warning: {warning}" in result.stderr
    inbox = Inbox(tmp_path / "inbox", "*.*")
    inbox.root.mkdir(parents=True)
    dropped = inbox.root / "no-unz.edi"
    dropped.write_bytes(NO_UNZ)
    with caplog.at_level("WARNING"), Hub(Settings(data_dir=tmp_path / "data")) as hub:
        outcome = hub.process_inbox_file(inbox, dropped, "documents")
    assert isinstance(outcome, FileOutcome)
    assert [r.getMessage() for r in caplog.records if warning in r.getMessage()] == [
        f"{dropped}, UNB ref IC1, UNH ref M1, segment 2: {warning}"
    ]


def test_a_refusal_quoting_brackets_is_printed_whole_by_translate_and_run(tmp_path: Path) -> None:
    # an ISA with an element added after ISA11 (X12.5 defines 16): ISA16 is then 'P' and the
    # byte after it the element separator '*', so the separators read are '*', '*' and 'P'
    head, rest = ASN.split(b"*U*", 1)
    path = _write(tmp_path, "extra.x12", head + b"*U*X*" + rest)
    said = "ISA declares the same character twice among its separators [b'*', b'*', b'P']"
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 1
    assert said in result.stderr  # rich took the list for a markup tag and printed nothing
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "extra.x12").write_bytes(path.read_bytes())
    (tmp_path / "data").mkdir()
    common = ["--no-routing", "--data-dir", str(tmp_path / "data")]
    ran = CliRunner().invoke(app, ["run", "--once", "--inbox", str(inbox), *common])
    assert said in ran.stderr
