"""Golden tests of every mapping spec, and the CLI's contract (exit codes, streams)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from canonical import Envelope, InventoryAdjustedV1
from hub.cli.app import app
from hub.golden import run_golden_tests
from tests.conftest import GOLDEN_RESULTS

DEMO = Path(__file__).resolve().parents[2] / "demo" / "inbox"


def test_every_golden_case_of_every_spec_matches(pytestconfig: pytest.Config) -> None:
    results = list(run_golden_tests())
    pytestconfig.stash[GOLDEN_RESULTS] = results  # counted per format in the run's summary
    assert {r.format for r in results} >= {"csv", "x12", "edifact", "idoc", "poslog", "shopify"}
    assert {r.case: r.differences for r in results if r.differences} == {}


def test_translate_prints_events_on_stdout_errors_on_stderr_and_exits_1() -> None:
    result = CliRunner().invoke(app, ["translate", str(DEMO / "store-0377-count-2026-11-20.csv")])
    assert result.exit_code == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(events) == 4
    envelope = Envelope[InventoryAdjustedV1].model_validate(events[0])
    assert envelope.data.sku == "SKU-200101"
    assert "line 5" in result.stderr
    assert "not-a-date" in result.stderr


def test_translate_of_a_clean_file_exits_0(tmp_path: Path) -> None:
    good = tmp_path / "ok.csv"
    good.write_text(
        "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
        "1,A,,1,1,2026-01-01T00:00:00Z,x\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["translate", str(good)])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_translate_refuses_to_guess_a_format_it_cannot_read(tmp_path: Path) -> None:
    unknown = tmp_path / "catalog.xml"
    unknown.write_text("<?xml version='1.0'?><Catalog><Item/></Catalog>", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(unknown)])
    assert result.exit_code == 1
    assert "not recognised as any document format" in result.stderr
    assert "<Catalog>" in result.stderr  # says how the content starts


def test_run_then_dlq_list_show_discard_on_the_demo_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in DEMO.iterdir():
        (inbox / f.name).write_bytes(f.read_bytes())
    runner = CliRunner()
    (tmp_path / "data").mkdir()
    common = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(app, ["run", "--once", "--inbox", str(inbox), *common])
    assert result.exit_code == 0, result.stderr
    # the demo: two stock counts (CSV), an X12 846, a SAP ORDERS05 IDoc and a POSLog return
    assert "18 event(s) published" in result.stdout
    assert "6 dead letter(s)" in result.stdout
    # routing ran beside it: store 0142's count variances became recount tasks
    assert "routing: 2 open task(s)" in result.stdout
    assert sorted(p.name for p in (inbox / "done").iterdir()) == sorted(
        p.name for p in DEMO.iterdir()
    )

    listed = runner.invoke(app, ["dlq", "list", "--json", *common])
    letters = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(letter["stage"] for letter in letters) == [
        "decode", "decode", "mapping", "mapping", "mapping", "validation",
    ]  # fmt: skip
    twelve = next(x for x in letters if "twelve" in x["reason"])
    shown = json.loads(runner.invoke(app, ["dlq", "show", str(twelve["id"]), *common]).stdout)
    assert shown["payload_text"].startswith("0142,SKU-100236,,twelve")

    tasks = runner.invoke(app, ["routing", "tasks", "--json", *common])
    assert tasks.exit_code == 0, tasks.stderr
    assert {t["category"] for t in map(json.loads, tasks.stdout.splitlines())} == {
        "inventory_variance"
    }

    refused = runner.invoke(app, ["dlq", "discard", "3", "--reason", " ", *common])
    assert refused.exit_code == 1
    assert "reason" in refused.stderr
    done = runner.invoke(app, ["dlq", "discard", "3", "--reason", "row re-counted", *common])
    assert done.exit_code == 0
    again = runner.invoke(app, ["dlq", "discard", "3", "--reason", "twice", *common])
    assert again.exit_code == 1
    assert "discarded" in again.stderr
