"""POSLog reader: the NCR corpus export, the written-here store day, bad transactions, memory."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from connectors.errors import RecordError
from connectors.formats.poslog import PoslogFormat
from connectors.formats.poslog.reader import NON_STOCK_ITEM_TYPES
from connectors.formats.xml_tree import XmlText
from connectors.record import RawRecord
from hub.documents import DocumentMapper
from mappings import SPECS_DIR, SpecRegistry, corpus_root
from mappings.functions import poslog

CORPUS = corpus_root() / "poslog"
NCR = CORPUS / "kjbreil_ncr_acs_poslog_small.xml"
WRITTEN = Path(__file__).parents[1] / "written_here" / "poslog_return.xml"

HEAD = b'<POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/">'


def _tx(seq: str, body: str, extra: str = "") -> bytes:
    return (
        f"<Transaction{extra}><RetailStoreID>7</RetailStoreID><WorkstationID>1</WorkstationID>"
        f"{seq}<BusinessDayDate>2026-11-20</BusinessDayDate>"
        f"<EndDateTime>2026-11-20T10:00:00Z</EndDateTime>{body}</Transaction>"
    ).encode()


def _sale(qty: str = "1") -> str:
    return (
        "<RetailTransaction><LineItem><SequenceNumber>1</SequenceNumber><Sale>"
        f"<ItemID>SKU-1</ItemID><Quantity>{qty}</Quantity></Sale></LineItem></RetailTransaction>"
    )


def _read(data: bytes) -> list[RawRecord | RecordError]:
    return list(PoslogFormat().messages(io.BytesIO(data), "log.xml"))


@pytest.mark.usefixtures("shared_corpus")
def test_sniff_knows_poslog_by_root_or_namespace_and_nothing_else() -> None:
    fmt = PoslogFormat()
    assert fmt.sniff(NCR.read_bytes()[:4096])
    assert fmt.sniff(b'<?xml version="1.0"?>\n<!-- store 7 -->\n<POSLog><Transaction/></POSLog>')
    assert fmt.sniff(b'<p:POSLog xmlns:p="http://www.nrf-arts.org/IXRetail/namespace/">')
    assert not fmt.sniff(b"<ORDERS05><IDOC><EDI_DC40/></IDOC></ORDERS05>")
    assert not fmt.sniff(b'{"POSLog": 1}')
    assert not fmt.sniff(b"store_id,sku\n")


@pytest.mark.usefixtures("shared_corpus")
def test_ncr_export_gives_a_control_and_a_sale_transaction() -> None:
    with NCR.open("rb") as fh:
        records = list(PoslogFormat().messages(fh, NCR.name))
    assert all(isinstance(r, RawRecord) for r in records)
    kinds = [r.context["message"] for r in records]
    assert kinds == ["ControlTransaction", "sale"]
    sale = records[1]
    assert isinstance(sale, RawRecord)
    assert sale.context["key"] == "9/34/2017-09-30/161"
    assert "sequence 161" in sale.context["where"]
    assert "POSLog/Transaction[2]" in sale.context["where"]
    items = sale.fields["RetailTransaction"]["LineItem"]
    assert items[0]["Sale"]["ItemID"] == "00000000067591"
    # the vendor extension keeps its prefix; the standard names are bare
    assert items[0]["@acs:weightItem"] == "true"
    assert items[0]["Sale"]["acs:ReportCode"] == "0"
    # the bytes parse alone: that is what a replay does
    again = PoslogFormat().parse_record(sale.data, sale.context, source="x", line=1)
    assert again.fields == sale.fields


def test_written_store_day_classifies_sale_return_and_control() -> None:
    with WRITTEN.open("rb") as fh:
        records = list(PoslogFormat().messages(fh, WRITTEN.name))
    assert [r.context["message"] for r in records] == ["sale", "return", "ControlTransaction"]
    sale = records[0]
    assert isinstance(sale, RawRecord)
    quantity = sale.fields["RetailTransaction"]["LineItem"][0]["Sale"]["Quantity"]
    assert isinstance(quantity, XmlText)
    assert quantity == "3"
    assert quantity["@UnitOfMeasureCode"] == "EA"
    assert quantity.get("@Units") is None
    assert sale.line > 1  # a multi-line file: each transaction knows its line


@pytest.mark.parametrize(
    ("extra", "body"),
    [
        (' CancelFlag="true"', _sale()),
        (
            "",
            _sale().replace(
                "<RetailTransaction>", '<RetailTransaction TransactionStatus="Voided">'
            ),
        ),
        (' TrainingModeFlag="true"', _sale()),
        # Oracle Retail POS logs a suspended transaction again once it was resumed elsewhere
        # (its items sold by the resuming transaction) or cancelled: still no stock moved
        *[
            (
                "",
                _sale().replace(
                    "<RetailTransaction>", f'<RetailTransaction TransactionStatus="{status}">'
                ),
            )
            for status in (
                "Suspended",
                "SuspendedDeleted",
                "SuspendedRetrieved",
                "SuspendedCancelled",
            )
        ],
    ],
)
def test_cancelled_voided_and_training_transactions_are_void(extra: str, body: str) -> None:
    (record,) = _read(HEAD + _tx("<SequenceNumber>1</SequenceNumber>", body, extra) + b"</POSLog>")
    assert record.context["message"] == "void"


def test_a_transaction_without_sequence_number_is_an_error_and_the_others_go_on() -> None:
    data = (
        HEAD
        + _tx("<SequenceNumber>1</SequenceNumber>", _sale())
        + _tx("", _sale("2"))
        + _tx("<SequenceNumber>3</SequenceNumber>", _sale("3"))
        + b"</POSLog>"
    )
    first, bad, third = _read(data)
    assert isinstance(first, RawRecord)
    assert isinstance(third, RawRecord)
    assert third.context["key"] == "7/1/2026-11-20/3"
    assert isinstance(bad, RecordError)
    assert bad.field == "SequenceNumber"
    assert "transaction 2" in bad.reason
    assert "POSLog/Transaction[2]" in bad.reason
    assert bad.location == "log.xml:line 1"
    assert bad.raw is not None
    assert b"<Quantity>2</Quantity>" in bad.raw


def test_malformed_xml_raises_after_the_transactions_before_it() -> None:
    data = HEAD + _tx("<SequenceNumber>1</SequenceNumber>", _sale()) + b"<Transaction><Ret"
    reader = PoslogFormat().messages(io.BytesIO(data), "log.xml")
    first = next(reader)
    assert isinstance(first, RawRecord)
    with pytest.raises(RecordError, match="malformed XML after transaction 1"):
        next(reader)


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'.encode()
        + HEAD
        + _tx("<SequenceNumber>1</SequenceNumber>", _sale("&x;"))
        + b"</POSLog>"
    )
    records = _read(data)
    assert all(b"TOP-SECRET" not in (getattr(r, "data", None) or b"") for r in records)


def test_a_lone_transaction_document_is_one_message() -> None:
    data = _tx("<SequenceNumber>9</SequenceNumber>", _sale()).replace(
        b"<Transaction>", b'<Transaction xmlns="http://www.nrf-arts.org/IXRetail/namespace/">'
    )
    assert PoslogFormat().sniff(data)
    (record,) = _read(data)
    assert isinstance(record, RawRecord)
    assert record.context["key"] == "7/1/2026-11-20/9"


def test_services_and_voided_lines_move_no_stock() -> None:
    body = (
        "<RetailTransaction>"
        "<LineItem><SequenceNumber>1</SequenceNumber><Sale ItemType='Stock'>"
        "<ItemID>SKU-1</ItemID><Quantity>2</Quantity></Sale></LineItem>"
        "<LineItem><SequenceNumber>2</SequenceNumber><Sale ItemType='Service'>"
        "<ItemID>GIFT-WRAP</ItemID><Quantity>1</Quantity></Sale></LineItem>"
        "<LineItem VoidFlag='true'><SequenceNumber>3</SequenceNumber><Sale>"
        "<ItemID>SKU-3</ItemID><Quantity>1</Quantity></Sale></LineItem>"
        "</RetailTransaction>"
    )
    (record,) = _read(HEAD + _tx("<SequenceNumber>1</SequenceNumber>", body) + b"</POSLog>")
    outcome = DocumentMapper(SpecRegistry.from_directory()).translate(record, PoslogFormat(), "doc")
    assert not outcome.failures
    assert [e.data.model_dump()["sku"] for e in outcome.events] == ["SKU-1"]


V6 = Path(__file__).parents[1] / "written_here" / "poslog_v6_store_day.xml"


def test_a_poslog_6_store_day_reads_its_store_from_the_business_unit() -> None:
    with V6.open("rb") as fh:
        records = list(PoslogFormat().messages(fh, V6.name))
    assert all(isinstance(r, RawRecord) for r in records)
    assert [r.context["message"] for r in records] == [
        "ControlTransaction",
        "sale",
        "return",
        "non_merchandise",
        "void",
        "TenderControlTransaction",
    ]
    sale = records[1]
    assert sale.context["key"] == "0377/12/2026-12-01/20417"
    assert "(sale; store 0377, workstation 12" in sale.context["where"]
    assert "POSLog/Transaction[2] (POSLog 6.0)" in sale.context["where"]


@pytest.mark.parametrize(
    "document",
    [
        # POSLog 2.x without any namespace
        b"<POSLog>{tx}</POSLog>",
        # the whole log in a sender's own prefixed namespace
        b'<v:POSLog xmlns:v="urn:example:vendor-poslog">{vtx}</v:POSLog>',
        # the ARTS namespace under a prefix
        b'<p:POSLog xmlns:p="http://www.nrf-arts.org/IXRetail/namespace/">{ptx}</p:POSLog>',
    ],
)
def test_a_sale_reads_the_same_with_or_without_namespaces(document: bytes) -> None:
    tx = _tx("<SequenceNumber>4</SequenceNumber>", _sale("2"))
    prefixed = re.sub(rb"<(/?)([A-Z])", rb"<\1v:\2", tx)
    arts = re.sub(rb"<(/?)([A-Z])", rb"<\1p:\2", tx)
    data = document.replace(b"{tx}", tx).replace(b"{vtx}", prefixed).replace(b"{ptx}", arts)
    (record,) = _read(data)
    assert isinstance(record, RawRecord)
    assert record.context["message"] == "sale"
    assert record.context["key"] == "7/1/2026-11-20/4"
    outcome = DocumentMapper(SpecRegistry.from_directory()).translate(record, PoslogFormat(), "d")
    assert not outcome.failures
    (event,) = outcome.events
    assert event.data.model_dump(mode="json")["quantity_change"] == {"value": "-2", "unit": "C62"}


def test_a_retail_transaction_of_services_only_or_voided_lines_only_moved_no_stock() -> None:
    service = (
        "<RetailTransaction><LineItem><Sale ItemType='Service'><ItemID>WRAP</ItemID></Sale>"
        "</LineItem><LineItem><Tender><Amount>3</Amount></Tender></LineItem></RetailTransaction>"
    )
    voided = _sale().replace("<LineItem>", "<LineItem VoidFlag='true'>")
    tenders = "<RetailTransaction><LineItem><Tender/></LineItem></RetailTransaction>"
    kinds = [
        r.context["message"]
        for r in _read(
            HEAD
            + _tx("<SequenceNumber>1</SequenceNumber>", service)
            + _tx("<SequenceNumber>2</SequenceNumber>", voided)
            + _tx("<SequenceNumber>3</SequenceNumber>", tenders)
            + b"</POSLog>"
        )
    ]
    assert kinds == ["non_merchandise", "void", "non_merchandise"]


def test_the_readers_non_stock_item_types_are_the_ones_the_specs_leave_out() -> None:
    for spec in ("sale", "return"):
        text = (SPECS_DIR / "poslog" / spec / "retail.inventory.adjusted@2.yaml").read_text()
        listed = re.search(r"Sale\.@ItemType, in: \[([^\]]*)\]", text)
        assert listed is not None
        assert {t.strip() for t in listed.group(1).split(",")} == NON_STOCK_ITEM_TYPES


def test_the_store_is_the_retail_store_unit_and_an_item_id_typed_gtin_is_the_gtin() -> None:
    transaction = {
        "BusinessUnit": {
            "UnitID": [
                XmlText("DC-1", {"@TypeCode": "DistributionCenter"}),
                XmlText("0142", {"@TypeCode": "RetailStore"}),
            ]
        }
    }
    assert poslog.store_id(transaction) == "0142"
    assert poslog.store_id({"BusinessUnit": {"UnitID": "9"}}) == "9"
    assert poslog.store_id({}) is None
    line = {
        "Sale": {
            "ItemID": [
                XmlText("4006381333931", {"@Type": "GTIN"}),
                XmlText("S-1", {"@Type": "SKU"}),
            ]
        }
    }
    assert poslog.item_id(line) == "S-1"
    assert poslog.gtin(line) == "4006381333931"
