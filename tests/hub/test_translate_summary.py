"""``crossdock translate --summary`` and ``--explain`` over a folder of partner files.

The files are written here: X12 interchanges from the 004010 envelope (an 846 stock advice,
an 856 ship notice no spec reads, two 997 acknowledgments) and a stock-count CSV.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.formats.x12 import InterchangeHeader, render_interchange
from hub.cli.app import app

_WHEN = datetime(2026, 3, 10, 8, tzinfo=UTC)


def _x12(functional_id: str, *sets: tuple[str, list[list[str]]]) -> bytes:
    return render_interchange(
        InterchangeHeader("ACMESUPPLY", "RETAILCO", 3, 3, functional_id, when=_WHEN), list(sets)
    )


@pytest.fixture
def onboarding(tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    (folder / "old").mkdir(parents=True)
    (folder / "stock.x12").write_bytes(
        _x12(
            "IB",
            (
                "846",
                [
                    ["BIA", "00", "SI", "INV-1", "20260310", "0800"],
                    ["N1", "WH", "ACME DC", "92", "DC-EAST"],
                    ["LIN", "1", "SK", "SKU-1"],
                    ["QTY", "33", "12", "EA"],
                    ["CTT", "1"],
                ],
            ),
        )
    )
    (folder / "old" / "asn.x12").write_bytes(
        _x12("SH", ("856", [["BSN", "00", "S-1", "20260310", "0800"], ["CTT", "0"]]))
    )
    (folder / "acks.x12").write_bytes(
        _x12("FA", ("997", [["AK1", "PO", "1"]]), ("997", [["AK1", "PO", "2"]]))
    )
    (folder / ".hidden.x12").write_bytes(b"not read")
    (folder / "count.csv").write_text(
        "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
        "1,A,,1,1,2026-01-01T00:00:00Z,x\n",
        encoding="utf-8",
    )
    return folder


def test_summary_prints_a_row_per_file_and_exits_1_when_one_failed(onboarding: Path) -> None:
    result = CliRunner().invoke(
        app, ["translate", "--summary", str(onboarding)], terminal_width=250
    )
    assert result.exit_code == 1
    rows = {
        cells[0]: cells[1:]
        for line in result.stdout.splitlines()
        if (cells := [c.strip() for c in line.split("│")[1:-1]]) and cells[0]
    }
    assert rows["acme/stock.x12"][:6] == ["x12", "846", "1", "0", "0", "0"]
    assert rows["acme/acks.x12"][:6] == ["x12", "997×2", "0", "0", "0", "2"]
    assert rows["acme/count.csv"][:3] == ["csv", "stock-count", "1"]
    asn = rows["acme/old/asn.x12"]
    assert asn[:5] == ["x12", "856", "0", "1", "1"]
    assert asn[6].startswith("ISA13 000000003")
    assert "4 file(s): 3 ok, 1 failed" in result.stdout


def test_summary_as_json_lines(onboarding: Path) -> None:
    result = CliRunner().invoke(app, ["translate", "--summary", "--json", str(onboarding)])
    assert result.exit_code == 1
    rows = {Path(row["file"]).name: row for row in map(json.loads, result.stdout.splitlines())}
    assert set(rows) == {"stock.x12", "asn.x12", "acks.x12", "count.csv"}
    assert rows["asn.x12"]["ok"] is False
    assert rows["asn.x12"]["refusals"] == 1
    assert "unsupported message X12 856 (Ship Notice/Manifest)" in rows["asn.x12"]["first_error"]
    assert rows["acks.x12"] | {"file": ""} == {
        "file": "",
        "format": "x12",
        "messages": {"997": 2},
        "events": 0,
        "errors": 0,
        "refusals": 0,
        "ignored": 2,
        "first_error": "",
        "ok": True,
    }


def test_a_clean_folder_exits_0(onboarding: Path) -> None:
    (onboarding / "old" / "asn.x12").unlink()
    result = CliRunner().invoke(app, ["translate", "--summary", str(onboarding)])
    assert result.exit_code == 0, result.stdout
    assert "3 file(s): 3 ok, 0 failed" in result.stdout


def test_json_without_summary_or_explain_is_a_usage_error(onboarding: Path) -> None:
    result = CliRunner().invoke(app, ["translate", "--json", str(onboarding / "stock.x12")])
    assert result.exit_code == 2
    assert "--json goes with --summary or --explain" in result.stderr


def test_explain_as_json_says_which_spec_reads_each_message(onboarding: Path) -> None:
    result = CliRunner().invoke(
        app, ["translate", "--explain", "--json", str(onboarding / "old" / "asn.x12")]
    )
    assert result.exit_code == 1
    explained = json.loads(result.stdout)
    assert explained["format"] == "x12"
    assert explained["messages"] == [
        {
            "message": "X12 856 (Ship Notice/Manifest)",
            "count": 1,
            "handling": "refused",
            "specs": [],
            "why": "no mapping spec reads this message type",
        }
    ]
    assert explained["partners_note"].startswith("no partner profiles are configured")
    csv = CliRunner().invoke(app, ["translate", "--explain", str(onboarding / "count.csv")])
    assert csv.exit_code == 0
    assert "format:   csv: no document format recognises the content" in csv.stdout
    assert "spec csv.stock-count@1" in csv.stdout
