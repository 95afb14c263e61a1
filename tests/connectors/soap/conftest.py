"""A real SOAP server (spyne, WSGI in a thread) on 127.0.0.1 per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from connectors.soap.erp_stock import ErpStockConfig
from connectors.soap.testing import LocalErpServer, Receipt

USER = "erp-user"
PASSWORD = "erp-pass-7f3a"


def receipts(n: int, *, start: int = 1) -> list[Receipt]:
    """``n`` goods receipts with ids from ``start``."""
    t0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    return [
        Receipt(
            receipt_id=i,
            location_id="DC-01",
            sku=f"SKU-{i:05d}",
            quantity=Decimal(i % 7 + 1),
            received_at=t0 + timedelta(minutes=i),
            po_number=f"4500{i:06d}",
            gtin="4006381333931" if i % 2 else None,
            unit="EA",
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def erp() -> Iterator[LocalErpServer]:
    with LocalErpServer(users={USER: PASSWORD}) as server:
        yield server


@pytest.fixture
def make_config(erp: LocalErpServer) -> Callable[..., ErpStockConfig]:
    def make(**overrides: Any) -> ErpStockConfig:
        values: dict[str, Any] = {
            "wsdl": erp.wsdl_url,
            "username": USER,
            "password": PASSWORD,
            "timeout": 5.0,
            "operation_timeout": 5.0,
            "page_size": 10,
        }
        values.update(overrides)
        return ErpStockConfig.model_validate(values)

    return make
