"""The group committer: duplicates in one group, cancelled requests, the thread survives."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from connectors.sdk import Action, DeadLetter, Decision, FailureType
from hub.api.webhook_commits import DeliveryCommitter, PendingDelivery
from hub.api.webhook_ledger import DeliveryLedger
from hub.bus import EventConsumer, event_queue
from hub.bus.publisher import ConfirmedPublisher
from hub.connector_bus import HubEventBus
from hub.database import connect
from hub.deadletter import DeadLetterService
from tests.services import fresh_postgres_database


def test_a_cancelled_request_is_left_out_and_the_committer_goes_on(tmp_path: Path) -> None:
    bus_url = f"sqlite:///{tmp_path / 'bus.db'}"
    engine = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    EventConsumer(bus_url, event_queue("c", ["retail.#"])).declare()
    committer = DeliveryCommitter(engine, HubEventBus(ConfirmedPublisher(bus_url), engine))

    async def scenario() -> tuple[bool, bool]:
        lost = asyncio.ensure_future(committer.take(PendingDelivery("acme", "d-gone", [], [])))
        await asyncio.sleep(0)  # queued: the committer has not run yet
        lost.cancel()  # its client went away
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


@pytest.mark.postgres
def test_the_ledger_and_dead_letters_commit_on_postgresql(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        engine = connect(url)
        try:
            bus_url = f"sqlite:///{tmp_path / 'bus.db'}"
            committer = DeliveryCommitter(engine, HubEventBus(ConfirmedPublisher(bus_url), engine))
            letter = DeadLetter(
                connector="acme",
                source="webhook:acme",
                location="hook#1",
                stage="decode",
                error=ValueError("not JSON"),
                decision=Decision(Action.DEAD_LETTER, FailureType.DATA),
                payload=b"{",
                content_type="application/json",
                source_key="webhook:acme:d1",
            )
            first = committer.commit([PendingDelivery("acme", "d1", [], [letter])])
            again = committer.commit([PendingDelivery("acme", "d1", [], [letter])])
            assert [t.duplicate for t in first + again] == [False, True]
            assert DeliveryLedger(engine).get("acme", "d1") is not None
            assert DeadLetterService(engine).count() == 1
        finally:
            engine.dispose()
