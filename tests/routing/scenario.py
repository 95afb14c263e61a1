"""A day of store events for the end-to-end routing tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from hub.deadletter import DeadLetter, DeadLetterService
from hub.retry import DEFAULT_TABLE
from tests.routing.conftest import START
from tests.routing.events import count, invoice, pickup_order, return_event

T0 = START  # 08:00 UTC, 09:00 in the stores


def morning_events() -> list[dict[str, Any]]:
    """Counts at S001 and S002, two pickup orders, three returns, two invoices."""
    at = T0
    return [
        # S001 (a flagship): three SKUs short, one far off, two within tolerance
        count("S001", "SKU-A", 7, 10, at),
        count("S001", "SKU-B", 12, 20, at),
        count("S001", "SKU-C", 6, 10, at),
        count("S001", "SKU-D", 2, 40, at),
        count("S001", "SKU-E", 9, 10, at),
        count("S001", "SKU-F", 99, 100, at),
        # S002: its POS postings are failing, so book stock is off on these
        count("S002", "SKU-A", 3, 10, at),
        count("S002", "SKU-G", 1, 30, at),
        count("S002", "SKU-H", 6, 12, at),
        # click & collect: O-1 will be made ready in time, O-2 will not
        pickup_order("O-1", "S001", T0 + timedelta(hours=4), at),
        pickup_order("O-2", "S003", T0 + timedelta(hours=5), at),
        # returns: a TV refunded in full, a small one, a cash refund without receipt
        return_event("R-1", "S001", "899.00", at),
        return_event("R-2", "S001", "20.00", at),
        return_event("R-3", "S003", "200.00", at, method="cash", receipt=False),
        # invoices: one far beyond tolerance, one a cent per unit off
        invoice("INV-1", "9.00", at),
        invoice("INV-2", "0.10", at),
    ]


def pos_dead_letters(db: Engine, n: int = 6, *, store: str = "S002") -> None:
    """``n`` dead letters from S002's POS connector, as the pipeline stores them."""
    store_letters = DeadLetterService(db)
    for i in range(n):
        error = ValueError(f"field amount: 'N/A' is not a number (line {i + 1})")
        store_letters.add(
            DeadLetter(
                connector=f"pos-{store.lower()}",
                source=f"sftp://pos/{store}/sales.csv",
                source_key=f"pos-{store}-sales-{i}",
                location=f"line {i + 1}",
                stage="mapping",
                error=error,
                decision=DEFAULT_TABLE.decide(error),
                payload=f"{i},SKU-A,N/A".encode(),
                content_type="text/csv",
                context={"location_id": store},
            )
        )
