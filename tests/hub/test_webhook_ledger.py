"""The webhook delivery ledger: a delivery is new only when none of its keys was taken."""

from __future__ import annotations

import time
from pathlib import Path

from connectors.sdk import DeliveryKey
from hub.api.webhook_ledger import DeliveryLedger
from hub.database import connect


def _take(ledger: DeliveryLedger, *deliveries: list[DeliveryKey]) -> list[bool]:
    with ledger.engine.begin() as conn:
        return DeliveryLedger.take(conn, "shop", [(keys, ["e1"]) for keys in deliveries])


def test_any_key_taken_before_makes_a_duplicate(tmp_path: Path) -> None:
    ledger = DeliveryLedger(connect(f"sqlite:///{tmp_path / 'hub.db'}"))
    assert _take(ledger, [DeliveryKey("w1"), DeliveryKey("event:9")]) == [True]
    assert _take(ledger, [DeliveryKey("w2"), DeliveryKey("event:9")]) == [False]
    # the duplicate's own id is kept too: its own re-send is a duplicate as well
    assert _take(ledger, [DeliveryKey("w2")]) == [False]
    assert _take(ledger, [DeliveryKey("w3")], [DeliveryKey("w4")]) == [True, True]


def test_a_windowed_key_counts_only_within_its_window(tmp_path: Path) -> None:
    ledger = DeliveryLedger(connect(f"sqlite:///{tmp_path / 'hub.db'}"))
    assert _take(ledger, [DeliveryKey("w1"), DeliveryKey("sha256:ab", 60)]) == [True]
    assert _take(ledger, [DeliveryKey("w2"), DeliveryKey("sha256:ab", 60)]) == [False]
    assert _take(ledger, [DeliveryKey("w3"), DeliveryKey("sha256:cd", 0.05)]) == [True]
    time.sleep(0.1)
    assert _take(ledger, [DeliveryKey("w4"), DeliveryKey("sha256:cd", 0.05)]) == [True]
