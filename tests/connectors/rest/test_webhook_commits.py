"""The group committer: duplicates in one group, cancelled requests, the thread survives."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hub.api.webhook_commits import DeliveryCommitter, PendingDelivery
from hub.api.webhook_ledger import DeliveryLedger
from hub.bus import EventConsumer, event_queue
from hub.bus.publisher import ConfirmedPublisher
from hub.connector_bus import HubEventBus
from hub.storage import connect


def test_a_cancelled_request_is_left_out_and_the_committer_goes_on(tmp_path: Path) -> None:
    bus_url = f"sqlite:///{tmp_path / 'bus.db'}"
    engine = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    EventConsumer(bus_url, event_queue("c", ["retail.#"])).declare()
    committer = DeliveryCommitter(engine, HubEventBus(ConfirmedPublisher(bus_url), engine))

    async def scenario() -> tuple[bool, bool]:
        gone = PendingDelivery("acme", "d-gone", [], [])
        gone.done.cancel()
        lost = asyncio.ensure_future(committer.take(gone))
        kept = await asyncio.wait_for(committer.take(PendingDelivery("acme", "d-kept", [], [])), 30)
        again = await asyncio.wait_for(
            committer.take(PendingDelivery("acme", "d-kept", [], [])), 30
        )
        lost.cancel()
        return kept.duplicate, again.duplicate

    assert asyncio.run(scenario()) == (False, True)
    ledger = DeliveryLedger(engine)
    assert ledger.get("acme", "d-kept") is not None
    assert ledger.get("acme", "d-gone") is None


def test_copies_in_one_group_are_taken_once(tmp_path: Path) -> None:
    bus_url = f"sqlite:///{tmp_path / 'bus.db'}"
    engine = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    committer = DeliveryCommitter(engine, HubEventBus(ConfirmedPublisher(bus_url), engine))
    group = [PendingDelivery("acme", "same", [], []) for _ in range(3)]
    outcomes = committer.commit(group)
    assert [o.duplicate for o in outcomes] == [False, True, True]
