"""The hub routes what it publishes in its own process, before the checkpoint that covers it:
a message routing cannot take is a dead letter with its bytes and the file goes on; a routing
outage (or a crash) between the publish and the routing leaves the checkpoint behind, so the
next read publishes those rows again and routes them: no published event is left unrouted."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hub.batch import BATCH_CONTENT_TYPE
from hub.database import connect
from hub.inline_routing import InlineRouting
from hub.routing.loader import load_engine
from hub.routing.router import RouteOutcome, Router
from hub.runtime import Hub
from tests.hub.conftest import HubEnv, write_count

ROWS = 200  # chunks of 50 rows, messages of 20 events (hub_env's settings)


def _rows() -> list[str]:
    # every fourth row counted 4 short of 9 (44 %): a recount line; the rest as expected
    return [
        f"0142,SKU-{i:05d},,{5 if i % 4 == 0 else 9},9,2026-11-20T06:05:00Z,m.lopez"
        for i in range(ROWS)
    ]


class _FailingRouter(Router):
    """A router whose ``fail_on``-th call of route_many raises ``error`` (once)."""

    def __init__(self, *args: Any, fail_on: int, error: Exception, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = 0
        self.fail_on, self.error = fail_on, error

    def route_many(
        self, events: Iterable[Mapping[str, Any]], *, at: datetime | None = None, **kw: Any
    ) -> list[RouteOutcome]:
        self.calls += 1
        if self.calls == self.fail_on:
            raise self.error
        return super().route_many(events, at=at, **kw)


def _claims(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM processed_events WHERE consumer = 'routing'")
            ).scalar_one()
        )


def _lines(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM routing_task_lines")).scalar_one())


def test_a_message_routing_cannot_take_is_a_dead_letter_with_its_bytes_and_the_file_goes_on(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    path = write_count(tmp_path / "inbox" / "count.csv", _rows())
    db = connect(hub_env.settings.resolved_database_url)
    router = _FailingRouter(db, load_engine(), fail_on=2, error=RuntimeError("a rule's bug"))
    routing = InlineRouting(router)
    try:
        with Hub(hub_env.settings, routing=routing) as hub:
            outcome = hub.read_file("stock-count", path)
            assert (outcome.published, outcome.dead_lettered) == (ROWS, 0)
            assert routing.counts.failed_messages == 1
            assert routing.counts.events == ROWS - 20
            letters = hub.dead_letters.list(stage="route")
            assert len(letters) == 1
            letter = letters[0]
            assert (letter.connector, letter.content_type) == ("routing", BATCH_CONTENT_TYPE)
            assert "a rule's bug" in letter.reason
            # its bytes: the second message's 20 events, as published
            kept = orjson.loads(letter.payload)
            assert [e["data"]["sku"] for e in kept] == [f"SKU-{i:05d}" for i in range(20, 40)]
            assert letter.event_id == kept[0]["id"]
            assert _claims(hub) == ROWS - 20
    finally:
        db.dispose()


def test_a_routing_outage_after_the_publish_leaves_the_checkpoint_behind_and_the_rerun_routes(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    path = write_count(tmp_path / "inbox" / "count.csv", _rows())
    db = connect(hub_env.settings.resolved_database_url)
    gone = OperationalError("INSERT", {}, Exception("the database went away"))
    # a chunk of 50 rows is three messages (20, 20, 10): the fourth, the second chunk's first,
    # is published, then its routing fails
    router = _FailingRouter(db, load_engine(), fail_on=4, error=gone)
    try:
        with Hub(hub_env.settings, routing=InlineRouting(router)) as hub:
            with pytest.raises(OperationalError):
                hub.read_file("stock-count", path)
            # chunk one is routed and checkpointed; chunk two's first message published but
            # not routed, and its checkpoint not stored
            assert _claims(hub) == 50
        with Hub(hub_env.settings, routing=InlineRouting(Router(db, load_engine()))) as hub:
            outcome = hub.read_file("stock-count", path)
            assert outcome.published == ROWS
            assert _claims(hub) == ROWS  # every published event routed, once
            assert _lines(hub) == ROWS // 4
    finally:
        db.dispose()


def test_a_big_file_whose_events_this_process_routes_is_translated_in_it(
    hub_env: HubEnv, tmp_path: Path
) -> None:
    # routing is such a file's bound: worker processes would translate ahead and wait for it
    settings = hub_env.settings.model_copy(update={"workers": None})
    db = connect(settings.resolved_database_url)
    try:
        with Hub(settings, routing=InlineRouting(Router(db, load_engine()))) as hub:
            assert hub.workers is None
            source = hub.file_source("stock-count", write_count(tmp_path / "c.csv", _rows()))
            assert source.config.workers == 0
        # rules that route no stock counts: the pool decides by size again
        rules = tmp_path / "orders-only.yaml"
        rules.write_text(
            "version: 1\ntargets: {ops: {kind: queue, queue: routing.ops}}\nrules:\n"
            "  - {id: every-invoice, events: [retail.invoice.matched], condition: 'true',\n"
            "     category: invoice_mismatch, severity: low, urgency: 3, title: \"'invoice'\","
            " targets: [ops]}\n",
            encoding="utf-8",
        )
        with Hub(settings, routing=InlineRouting(Router(db, load_engine(rules)))) as hub:
            assert (hub.workers is not None) == ((os.cpu_count() or 1) > 1)
            assert hub.file_source("stock-count", tmp_path / "c.csv").config.workers is None
        # and workers set in crossdock.yaml are what the user asked for
        with Hub(
            settings.model_copy(update={"workers": 2}),
            routing=InlineRouting(Router(db, load_engine())),
        ) as hub:
            assert hub.workers is not None
            assert hub.file_source("stock-count", tmp_path / "c.csv").config.workers == 2
    finally:
        db.dispose()
    with Hub(settings) as hub:  # routing off
        assert (hub.workers is not None) == ((os.cpu_count() or 1) > 1)
