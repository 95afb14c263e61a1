"""The worked ERP connectors end to end against spyne's server, and the conformance kit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import pytest

from canonical import InventoryAdjustedV1
from connectors.sdk import Event, State, run_source
from connectors.sdk.runner import deliver
from connectors.sdk.testing import Scenario, SinkConformance, SourceConformance, StubBus
from connectors.soap.erp_stock import ErpGoodsReceiptSource, ErpStockConfig, ErpStockSink
from connectors.soap.testing import LocalErpServer, Receipt
from tests.connectors.soap.conftest import receipts


def _no_sleep(_s: float) -> None:
    pass


def test_receipts_become_inventory_adjusted_events_page_by_page(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.receipts.extend(receipts(25))
    bus = StubBus()
    marks: list[State] = []
    with ErpGoodsReceiptSource(make_config(page_size=10)) as source:
        outcome = run_source(source, bus, on_checkpoint=marks.append, sleep=_no_sleep)
    assert outcome.published == 25
    assert [m.position("goods_receipts") for m in marks] == [
        {"after_id": 10},
        {"after_id": 20},
        {"after_id": 25},
    ]
    first = bus.events[0]
    assert first.type == "retail.inventory.adjusted"
    assert isinstance(first.data, InventoryAdjustedV1)
    assert first.data.reason == "receipt"
    assert first.data.quantity_change is not None
    assert first.data.quantity_change.unit == "C62"  # EA mapped to UN/ECE Rec 20
    assert first.data.reference_document == "PO 4500000001"
    # new receipts later: only they are read
    erp.receipts.extend(receipts(3, start=26))
    with ErpGoodsReceiptSource(make_config(page_size=10)) as source:
        again = run_source(source, StubBus(), outcome.state, sleep=_no_sleep)
    assert again.published == 3


def test_a_server_fault_mid_read_is_retried_without_duplicates(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.receipts.extend(receipts(25))
    bus = StubBus()
    with ErpGoodsReceiptSource(make_config(page_size=10)) as source:
        erp.fail_next("server")
        outcome = run_source(source, bus, sleep=_no_sleep)
    assert outcome.retries == 1
    assert len(bus.event_ids) == len(set(bus.event_ids)) == 25


def test_adjustments_are_posted_once_even_when_a_batch_is_retried(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    events = _adjustment_events(3)
    with ErpStockSink(make_config()) as sink:
        first = deliver(sink, events, StubBus(), sleep=_no_sleep)
        second = deliver(sink, events, StubBus(), sleep=_no_sleep)  # the whole batch again
    assert first.written == second.written == [e["id"] for e in events]
    assert sorted(erp.adjustments) == sorted(e["id"] for e in events)  # applied once each
    assert erp.adjustments[events[0]["id"]]["quantity_delta"] == -2


def test_an_unknown_sku_is_refused_alone_and_dead_lettered(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    events = _adjustment_events(3)
    events[1]["data"]["sku"] = "UNKNOWN-9"
    bus = StubBus()
    with ErpStockSink(make_config()) as sink:
        report = deliver(sink, events, bus, sleep=_no_sleep)
    assert report.written == [events[0]["id"], events[2]["id"]]
    assert [d.location for d in bus.dead_letters] == [events[1]["id"]]
    assert "UnknownSku" in str(bus.dead_letters[0].error)
    assert b"UNKNOWN-9" in bus.dead_letters[0].payload


def test_a_count_is_posted_as_its_difference_to_the_book_figure(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    event = _adjustment_events(1)[0]
    del event["data"]["quantity_change"]
    event["data"].update(
        reason="cycle_count",
        counted_quantity={"value": "7", "unit": "C62"},
        expected_on_hand={"value": "9", "unit": "C62"},
    )
    with ErpStockSink(make_config()) as sink:
        deliver(sink, [event], StubBus(), sleep=_no_sleep)
    assert erp.adjustments[event["id"]]["quantity_delta"] == -2


def _adjustment_events(n: int) -> list[dict[str, Any]]:
    return [
        {
            "specversion": "1.0",
            "id": f"00000000-0000-5000-8000-{i:012d}",
            "source": "crossdock://test",
            "type": "retail.inventory.adjusted",
            "time": "2026-11-20T07:00:00Z",
            "dataversion": 1,
            "data": {
                "location_id": "0142",
                "sku": f"SKU-{i:05d}",
                "quantity_change": {"value": "-2", "unit": "C62"},
                "reason": "sale",
                "occurred_at": "2026-11-20T06:59:00Z",
            },
        }
        for i in range(n)
    ]


class _Peer:
    erp: LocalErpServer
    make: Callable[..., ErpStockConfig]

    @pytest.fixture(autouse=True)
    def _soap_peer(self, erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]) -> None:
        self.erp, self.make = erp, make_config

    def config_for(self, scenario: Scenario) -> ErpStockConfig:
        if scenario is Scenario.BAD_CREDENTIALS:
            return self.make(password="not-it")
        if scenario is Scenario.PERMANENT:
            return self.make(wsdl="/nonexistent/stock.wsdl")  # no such WSDL: fail, never retry
        return self.make(page_size=10)


class TestErpReceiptSourceConformance(_Peer, SourceConformance):
    connector: ClassVar[type[ErpGoodsReceiptSource]] = ErpGoodsReceiptSource
    malformed_location = "GetGoodsReceipts"

    def make_source(self, scenario: Scenario) -> ErpGoodsReceiptSource:
        self.erp.receipts[:] = receipts(25)
        if scenario is Scenario.MALFORMED:
            bad = self.erp.receipts[12]
            self.erp.receipts[12] = Receipt(
                bad.receipt_id, bad.location_id, "", bad.quantity, bad.received_at, "PO"
            )  # an empty SKU: the event cannot validate
        if scenario is Scenario.TRANSIENT:
            self.erp.fail_next("server")
        return ErpGoodsReceiptSource(self.config_for(scenario))


class TestErpStockSinkConformance(_Peer, SinkConformance):
    connector: ClassVar[type[ErpStockSink]] = ErpStockSink

    def make_sink(self, scenario: Scenario) -> ErpStockSink:
        self.erp.adjustments.clear()
        if scenario is Scenario.MALFORMED:
            self.erp.fail_next("client")  # the ERP refuses the first adjustment for good
        if scenario is Scenario.TRANSIENT:
            self.erp.fail_next("server")
        return ErpStockSink(self.config_for(scenario))

    def events(self) -> Sequence[Event]:
        return _adjustment_events(3)
