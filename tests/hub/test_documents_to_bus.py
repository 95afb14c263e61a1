"""End to end for documents: one bad message dead-letters alone, the others reach the bus, and
the dead letter replays as exactly that message's events."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from canonical import make_event_id
from hub.cli.app import app
from hub.config import csv_format_for
from hub.deadletter import DeadLetterStatus
from hub.errors import DeadLetterError
from hub.file_source import FileOutcome, document_key
from hub.inbox import Inbox
from hub.replay import replay_dead_letter
from hub.runtime import Hub
from mappings import SPECS_DIR, golden_folder_cases, golden_folders
from tests.corpus import corpus_file
from tests.hub.conftest import HubEnv

WRITTEN = Path(__file__).parents[1] / "formats" / "written_here"
NS = "http://www.nrf-arts.org/IXRetail/namespace/"


def _tx(seq: int, sku: str, qty: str, kind: str = "Sale") -> str:
    return (
        f"<Transaction><RetailStoreID>0142</RetailStoreID><WorkstationID>3</WorkstationID>"
        f"<SequenceNumber>{seq}</SequenceNumber><BusinessDayDate>2026-11-20</BusinessDayDate>"
        f"<EndDateTime>2026-11-20T10:0{seq % 10}:00Z</EndDateTime><CurrencyCode>EUR</CurrencyCode>"
        f"<RetailTransaction><LineItem><SequenceNumber>1</SequenceNumber><{kind}>"
        f"<ItemID>{sku}</ItemID><Quantity>{qty}</Quantity></{kind}></LineItem>"
        f"<LineItem><SequenceNumber>2</SequenceNumber><{kind}><ItemID>{sku}-B</ItemID>"
        f"<Quantity>1</Quantity></{kind}></LineItem></RetailTransaction></Transaction>"
    )


def _poslog(path: Path, *transactions: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<POSLog xmlns="{NS}">' + "".join(transactions) + "</POSLog>", "utf-8")
    return path


def _collect(env: HubEnv, path: Path) -> list[dict[str, Any]]:
    """This test's events: the exchange is shared with whatever else runs on the broker."""
    events: list[dict[str, Any]] = []
    env.consumer.drain(events.extend, idle_timeout=1.0)
    return [e for e in events if e["source"] == f"crossdock:file/{path.name}"]


def _unique(name: str) -> str:
    return f"{uuid.uuid4().hex[:8]}-{name}"


def test_poslog_with_one_bad_transaction_publishes_the_others_and_replays_the_bad_one(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = _poslog(
        inbox.root / _unique("store-0142.xml"),
        _tx(1, "SKU-1", "2"),
        _tx(2, "SKU-2", "two"),  # not a number: this transaction dead-letters
        _tx(3, "SKU-3", "1.5"),
    )
    doc_id = document_key(path).rsplit(":", 1)[1]
    with Hub(hub_env.settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.records, outcome.published, outcome.dead_lettered) == (3, 4, 1)
        (letter,) = hub.dead_letters.list()
    events = _collect(hub_env, path)
    assert sorted(e["data"]["sku"] for e in events) == ["SKU-1", "SKU-1-B", "SKU-3", "SKU-3-B"]
    by_sku = {e["data"]["sku"]: e for e in events}
    assert by_sku["SKU-1"]["data"]["quantity_change"] == {"value": "-2", "unit": "C62"}
    assert by_sku["SKU-1"]["data"]["reference_document"] == "0142/3/2026-11-20/1"
    assert by_sku["SKU-1"]["id"] == make_event_id(
        doc_id, "0142/3/2026-11-20/1", "poslog.sale.inventory@2", "0"
    )
    assert (inbox.done / path.name).exists()

    # the letter: the bad transaction's bytes, why, where, and what replay needs
    assert letter.stage == "mapping"
    assert letter.mapping_id == "poslog.sale.inventory"
    assert "sequence 2" in letter.location
    assert "POSLog/Transaction[2]" in letter.location
    assert "'two' is not a decimal number" in letter.reason
    assert b"<ItemID>SKU-2</ItemID><Quantity>two</Quantity>" in letter.payload
    assert b"SKU-1" not in letter.payload
    assert letter.context["format"] == "poslog"
    assert letter.context["key"] == "0142/3/2026-11-20/2"

    with Hub(hub_env.settings) as hub:
        failed = replay_dead_letter(
            letter.id,
            engine=hub.engine,
            publisher=hub.publisher,
            registry=hub.registry,
            fmt=csv_format_for(hub_env.settings.connector("stock-count"), hub.registry),
            actor="test",
        )
        assert not failed.ok
        assert "not a decimal number" in (failed.reason or "")
        fixed = letter.payload.replace(b"<Quantity>two</Quantity>", b"<Quantity>2</Quantity>")
        result = replay_dead_letter(
            letter.id,
            engine=hub.engine,
            publisher=hub.publisher,
            registry=hub.registry,
            fmt=csv_format_for(hub_env.settings.connector("stock-count"), hub.registry),
            actor="test",
            payload=fixed,
        )
        assert result.ok
        assert result.event_id == make_event_id(
            doc_id, "0142/3/2026-11-20/2", "poslog.sale.inventory@2", "0"
        )
        row = hub.dead_letters.get(letter.id)
        assert row.status == DeadLetterStatus.REPLAYED.value
        assert row.history[-1]["event_ids"][0] == result.event_id
        assert len(row.history[-1]["event_ids"]) == 2
        with pytest.raises(DeadLetterError):
            replay_dead_letter(
                letter.id,
                engine=hub.engine,
                publisher=hub.publisher,
                registry=hub.registry,
                fmt=csv_format_for(hub_env.settings.connector("stock-count"), hub.registry),
                actor="test",
            )
    replayed = _collect(hub_env, path)
    assert sorted(e["data"]["sku"] for e in replayed) == ["SKU-2", "SKU-2-B"]
    assert {e["id"] for e in replayed}.isdisjoint(e["id"] for e in events)


def test_a_return_gives_stock_events_and_a_return_authorization(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = inbox.root / _unique("day.xml")
    path.parent.mkdir(parents=True)
    path.write_bytes((WRITTEN / "poslog_return.xml").read_bytes())
    with Hub(hub_env.settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents")
    assert isinstance(outcome, FileOutcome)
    # sale (2 lines), return (2 lines + 1 authorization), sign-off ignored (and counted)
    assert (outcome.records, outcome.published, outcome.ignored) == (3, 5, 1)
    assert outcome.dead_lettered == 0
    stock = _collect(hub_env, path)
    assert sorted(e["data"]["reason"] for e in stock) == ["return", "return", "sale", "sale"]


def test_shopify_json_lines_with_a_broken_line_dead_letter_it_and_replay_it_fixed(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    level = {
        "inventory_item_id": 808950810,
        "location_id": 905684977,
        "available": 6,
        "updated_at": "2018-05-07T15:51:26-04:00",
    }
    broken = '{"inventory_item_id": 39072856, "location_id": 487838322, "available": 2'
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = inbox.root / _unique("hooks.jsonl")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(level) + "\n" + broken + "\n", "utf-8")
    with Hub(hub_env.settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.published, outcome.dead_lettered) == (1, 1)
        (letter,) = hub.dead_letters.list()
        assert letter.stage == "decode"
        assert letter.mapping_id is None
        assert letter.payload == broken.encode()
        assert letter.location.endswith("hooks.jsonl:line 2")
        fixed = (broken + ', "updated_at": "2018-05-07T16:00:00-04:00"}').encode()
        result = replay_dead_letter(
            letter.id,
            engine=hub.engine,
            publisher=hub.publisher,
            registry=hub.registry,
            fmt=csv_format_for(hub_env.settings.connector("stock-count"), hub.registry),
            actor="test",
            payload=fixed,
        )
        assert result.ok, result.reason
    events = _collect(hub_env, path)
    assert sorted(e["data"]["counted_quantity"]["value"] for e in events) == ["2", "6"]


def test_translate_prints_the_good_messages_and_names_the_bad_one(tmp_path: Path) -> None:
    path = _poslog(tmp_path / "log.xml", _tx(1, "SKU-1", "2"), _tx(2, "SKU-2", "two"))
    result = CliRunner().invoke(app, ["translate", str(path)])
    assert result.exit_code == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["data"]["sku"] for e in events] == ["SKU-1", "SKU-1-B"]
    assert "sequence 2" in result.stderr
    assert "poslog.sale.inventory" in result.stderr


def test_translate_with_mapping_forces_the_spec(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["translate", str(WRITTEN / "poslog_return.xml"), "--mapping", "poslog.return.rma"],
    )
    # forced onto every transaction: the sale has no return lines, the sign-off no lines at all
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["type"] for e in events] == ["retail.return.authorized"]
    assert result.exit_code == 1
    assert "transaction 1" in result.stderr
    assert "refund.total.amount: required value is missing" in result.stderr


def test_mappings_test_counts_cases_per_format() -> None:
    result = CliRunner().invoke(app, ["mappings", "test"])
    assert result.exit_code == 0, result.stdout
    for name in ("idoc", "poslog", "shopify", "csv"):
        assert name in result.stdout
    assert "poslog.return.rma@" in result.stdout
    summary = result.stdout.split("┃ format")[1]
    poslog = next(line for line in summary.splitlines() if "poslog" in line)
    name, specs, documents, passed, failed, events, _, skipped = (
        c.strip() for c in poslog.split("│")[1:-1]
    )
    assert (name, specs, failed) == ("poslog", "3", "0")
    assert passed == documents
    cases = sum(len(golden_folder_cases(f)) for f in golden_folders(SPECS_DIR / "poslog"))
    assert int(documents) + int(skipped) == cases  # corpus cases are skipped without the corpus
    assert int(events) >= 5  # the written-here store days give at least their 5 events


def test_translate_counts_a_till_sign_off_as_ignored_without_failing() -> None:
    result = CliRunner().invoke(app, ["translate", str(WRITTEN / "poslog_return.xml")])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5
    assert "ignored: 1 POSLog ControlTransaction till control transaction(s)" in result.stderr
    assert "not business documents" in result.stderr


def test_a_document_resumes_after_its_last_committed_message_and_is_not_read_twice(
    tmp_path: Path,
) -> None:
    from hub.checkpoints import save_checkpoint
    from hub.config import Settings

    settings = Settings(data_dir=tmp_path / "data")
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = _poslog(
        inbox.root / "log.xml", _tx(1, "SKU-1", "1"), _tx(2, "SKU-2", "1"), _tx(3, "SKU-3", "1")
    )
    with Hub(settings) as hub:
        # as if a run was killed after committing the first two transactions
        with hub.engine.begin() as conn:
            save_checkpoint(
                conn, document_key(path), offset=0, line=2, published=4, dead_lettered=0
            )
        outcome = hub.read_file("documents", path)
        assert outcome.resumed_from_line == 2
        assert (outcome.records, outcome.published) == (1, 6)  # SKU-3 and SKU-3-B added
        again = hub.read_file("documents", path)
        assert again.already_done


def test_an_x12_interchange_through_the_same_pipeline_and_replay(tmp_path: Path) -> None:
    """Every document format shares the hub path: an X12 846 with a bad set, replayed fixed."""
    from hub.config import Settings

    pytest.importorskip("connectors.formats.x12")
    golden = Path(__file__).parents[2] / "mappings" / "specs" / "x12"
    source = golden / "retail.inventory.adjusted@2.golden"
    source /= "written-here-bad-quantity-and-count.in.x12"
    settings = Settings(data_dir=tmp_path / "data")
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = inbox.root / "stock.x12"
    path.parent.mkdir(parents=True)
    path.write_bytes(source.read_bytes())
    with Hub(settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.records, outcome.published, outcome.dead_lettered) == (3, 1, 2)
        letters = {letter.stage: letter for letter in hub.dead_letters.list()}
        mapping = letters["mapping"]
        assert "ST02 0001" in mapping.location
        assert mapping.context["format"] == "x12"
        result = replay_dead_letter(
            mapping.id,
            engine=hub.engine,
            publisher=hub.publisher,
            registry=hub.registry,
            fmt=csv_format_for(settings.connector("stock-count"), hub.registry),
            actor="test",
            payload=mapping.payload.replace(b"*12O*", b"*120*"),
        )
        assert result.ok, result.reason
        assert hub.dead_letters.get(mapping.id).status == DeadLetterStatus.REPLAYED.value


def test_crossdock_run_with_the_documents_connector_reads_every_kind(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for source in (
        WRITTEN / "poslog_return.xml",
        WRITTEN / "idoc_orders05.xml",
        corpus_file("shopify/shopify_python_api_refund.json"),
        corpus_file("shopify/shopify_python_api_location.json"),  # a body no spec maps
    ):
        (inbox / source.name).write_bytes(source.read_bytes())
    (tmp_path / "data").mkdir()
    common = ["--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(
        app, ["run", "--once", "--connector", "documents", "--inbox", str(inbox), *common]
    )
    assert result.exit_code == 0, result.stderr
    # POSLog 5 events, ORDERS05 2, refund 1; the location body a dead letter of its own, by name
    assert "8 event(s) published" in result.stdout
    assert "1 dead letter(s)" in result.stdout
    assert "dead letter" in result.stderr
    assert "locations/create body 1 (id 487838322)" in result.stderr
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [
        "idoc_orders05.xml",
        "poslog_return.xml",
        "shopify_python_api_location.json",
        "shopify_python_api_refund.json",
    ]


def test_an_edifact_interchange_through_the_same_pipeline_and_replay(tmp_path: Path) -> None:
    """The EDIFACT reader's bad message (a '.' where UNA declares ',') replays corrected."""
    from hub.config import Settings

    pytest.importorskip("connectors.formats.edifact")
    source = Path(__file__).parents[2] / "mappings" / "specs" / "edifact"
    source /= "retail.order.created@3.golden/written-here-three-orders-one-bad.in.edi"
    settings = Settings(data_dir=tmp_path / "data")
    inbox = Inbox(tmp_path / "inbox", "*.*")
    path = inbox.root / "orders.edi"
    path.parent.mkdir(parents=True)
    path.write_bytes(source.read_bytes())
    with Hub(settings) as hub:
        outcome = hub.process_inbox_file(inbox, path, "documents")
        assert isinstance(outcome, FileOutcome)
        assert (outcome.records, outcome.published, outcome.dead_lettered) == (3, 2, 1)
        (letter,) = hub.dead_letters.list()
        assert "UNH ref M2" in letter.location
        assert letter.context["format"] == "edifact"
        fixed = letter.payload.replace(b"QTY+21:3.5'", b"QTY+21:3,5'\nPRI+AAA:12,50'")
        result = replay_dead_letter(
            letter.id,
            engine=hub.engine,
            publisher=hub.publisher,
            registry=hub.registry,
            fmt=csv_format_for(settings.connector("stock-count"), hub.registry),
            actor="test",
            payload=fixed.replace(b"UNT+6+M2", b"UNT+7+M2"),
        )
        assert result.ok, result.reason
