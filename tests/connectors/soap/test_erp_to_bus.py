"""End to end: ERP goods receipts over SOAP → the hub's confirmed bus → back to the ERP as calls.

Against spyne's server and the real bus (embedded, and RabbitMQ with PostgreSQL): a Server
fault mid-read is retried without duplicates; a refused token fails the run at once; the
events read from the bus are posted back with their ids as idempotency keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.sdk import run_source
from connectors.sdk.runner import deliver
from connectors.sdk.testing import StubBus
from connectors.soap.erp_stock import ErpGoodsReceiptSource, ErpStockConfig, ErpStockSink
from connectors.soap.errors import SoapAuthRefused
from connectors.soap.testing import LocalErpServer
from hub.connector_bus import HubEventBus
from hub.retry import DEFAULT_TABLE
from hub.runtime import Hub
from tests.connectors.soap.conftest import receipts
from tests.hub.conftest import HubEnv, hub_env  # noqa: F401  # the fixture, shared


def test_receipts_reach_the_bus_once_and_go_back_as_adjustments(
    hub_env: HubEnv,  # noqa: F811
    erp: LocalErpServer,
    make_config: Callable[..., ErpStockConfig],
) -> None:
    erp.receipts.extend(receipts(35))
    erp.fail_next("server")  # the first page fails once: retried, nothing doubled
    with Hub(hub_env.settings) as hub:
        bus = HubEventBus(hub.publisher, hub.engine)
        with ErpGoodsReceiptSource(make_config(page_size=10)) as source:
            outcome = run_source(source, bus, table=DEFAULT_TABLE, sleep=lambda _s: None)
        # a refused WS-Security token is a config failure: raised at once, not retried
        with (
            ErpGoodsReceiptSource(make_config(password="wrong")) as refused,
            pytest.raises(SoapAuthRefused),
        ):
            run_source(refused, bus, table=DEFAULT_TABLE, sleep=pytest.fail)
    assert outcome.retries == 1
    events: list[dict[str, Any]] = []
    hub_env.consumer.drain(events.extend, idle_timeout=1.0)
    assert len(events) == len({e["id"] for e in events}) == 35
    assert {e["data"]["reason"] for e in events} == {"receipt"}
    # the canonical events, as a consumer got them, pushed back to the ERP
    with ErpStockSink(make_config()) as sink:
        report = deliver(sink, events, StubBus(), sleep=lambda _s: None)
    assert len(report.written) == 35
    assert sorted(erp.adjustments) == sorted(e["id"] for e in events)
    assert all(a["reason"] == "receipt" for a in erp.adjustments.values())
