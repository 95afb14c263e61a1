"""Events the hub validated itself are routed without validating them again
(``Router.route_many(..., validated=True)``): read by their model's field types
(:mod:`hub.routing.trusted`), they must give what validation gives, and route the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canonical import parse_envelope
from canonical.envelope import dataschema_uri
from canonical.event_versions import event_types
from hub.batch import EventBatch
from hub.database import connect
from hub.routing.audit import audit_entries
from hub.routing.context import build_context
from hub.routing.engine import Memo
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.trusted import attributes_of, data_of
from tests.canonical import payloads
from tests.canonical.strategies import (
    inventory_v1_payloads,
    inventory_v2_payloads,
    order_v1_payloads,
    order_v2_payloads,
)
from tests.routing.conftest import START, Clock
from tests.routing.events import (
    count,
    dead_letter_event,
    envelope,
    invoice,
    order_event,
    pickup_order,
    return_event,
)
from tests.routing.snapshot import by_group, snapshot


def published(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as the hub's pipeline publishes it once validated: its batch JSON (optional
    fields that are None left out), parsed again."""
    env = parse_envelope(event)
    batch = EventBatch(
        source=env.source,
        event_type=env.type,
        version=env.dataversion,
        dataschema=dataschema_uri(env.type, env.dataversion),
        time=env.time,
    )
    parsed: dict[str, Any] = orjson.loads(batch.encode(env.id, env.data))
    return parsed


def _check_read(event: dict[str, Any]) -> None:
    for form in (published(event), orjson.loads(parse_envelope(event).to_json_bytes())):
        env = parse_envelope(form)
        assert data_of(env.type, env.dataversion, form["data"]) == env.data.model_dump(
            mode="python"
        )
        assert attributes_of(form) == env.model_dump(mode="python", exclude={"data"})


_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.tuples(st.just("retail.inventory.adjusted"), st.just(1), inventory_v1_payloads()),
        st.tuples(st.just("retail.inventory.adjusted"), st.just(2), inventory_v2_payloads()),
        st.tuples(st.just("retail.order.created"), st.just(1), order_v1_payloads()),
        st.tuples(st.just("retail.order.created"), st.just(2), order_v2_payloads()),
    )
)
def test_a_validated_event_reads_as_validation_gives_it(drawn: tuple[str, int, Any]) -> None:
    event_type, version, data = drawn
    _check_read(envelope(event_type, version, data, _AT))


@pytest.mark.parametrize(
    ("event_type", "version", "make"),
    [
        ("retail.inventory.adjusted", 1, payloads.inventory_count),
        ("retail.inventory.adjusted", 1, payloads.inventory_sale),
        ("retail.inventory.adjusted", 2, payloads.inventory_lot_receipt_v2),
        ("retail.inventory.adjusted", 2, payloads.inventory_serial_sale_v2),
        ("retail.order.created", 1, payloads.order),
        ("retail.order.created", 2, payloads.order_v2),
        ("retail.return.authorized", 1, payloads.return_authorized),
        ("retail.invoice.matched", 1, payloads.invoice_three_way),
    ],
)
def test_every_event_type_reads_as_validation_gives_it(
    event_type: str, version: int, make: Callable[[], dict[str, Any]]
) -> None:
    _check_read(envelope(event_type, version, make(), _AT))


def test_a_validated_event_gets_the_context_validation_gives() -> None:
    engine = load_engine()
    event = published(count("S001", "SKU-1", 4, 10, _AT))
    checked = build_context(event, _AT, constants=engine.rules.params, impact=engine.rules.impact)
    trusted = build_context(
        event, _AT, constants=engine.rules.params, impact=engine.rules.impact, validated=True
    )
    assert (trusted.data, trusted.facts, trusted.variables) == (
        checked.data,
        checked.facts,
        checked.variables,
    )


def _mixed_events(counts: list[tuple[int, int, int, int]]) -> list[dict[str, Any]]:
    at = START
    events = [count(f"S00{s}", f"SKU-{k}", c, e, at) for s, k, c, e in counts]
    events += [
        invoice("INV-1", "3.00", at),
        invoice("INV-2", "0.01", at),
        return_event("RMA-1", "S001", "900.00", at),
        return_event("RMA-2", "S002", "20.00", at, method="cash", receipt=False),
        pickup_order("ORD-1", "S001", at - timedelta(minutes=5), at),
        pickup_order("ORD-2", "S002", at + timedelta(hours=2), at),
        order_event("retail.order.collected", "ORD-2", at),
        dead_letter_event(1, "pos", "S001", 9, at),
    ]
    # the canonical ones as the pipeline publishes them; the others are routed as they are
    return [published(e) if e["type"] in _CANONICAL else e for e in events]


_CANONICAL = set(event_types())


def _route(tmp: Path, name: str, events: list[dict[str, Any]], validated: bool) -> Any:
    db = connect(f"sqlite:///{tmp / name}")
    try:
        router = Router(db, load_engine(), clock=Clock())
        router.route_many(events, validated=validated)
        router.route_many(events[:5], validated=validated)  # redelivered: changes nothing
        return snapshot(db), audit_entries(db, limit=10_000)
    finally:
        db.dispose()


_COUNTS = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(0, 40), st.integers(0, 40)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_COUNTS)
def test_validated_routing_leaves_what_validating_routing_leaves(
    tmp_path_factory: pytest.TempPathFactory, counts: list[tuple[int, int, int, int]]
) -> None:
    tmp = tmp_path_factory.mktemp("validated")
    events = _mixed_events(counts)
    assert _route(tmp, "checked.db", events, False) == _route(tmp, "trusted.db", events, True)


def test_an_event_that_is_not_what_was_vouched_for_is_dead_lettered(
    tmp_path: Path,
) -> None:
    db = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        router = Router(db, load_engine(), clock=Clock())
        event = published(count("S001", "SKU-1", 4, 10, START))
        event["data"]["counted_quantity"] = {"value": "four", "unit": "C62"}
        [outcome] = router.route_many([event], validated=True)
        assert outcome.dead_lettered
        assert router.dead_letters.list()[0].stage == "route"
    finally:
        db.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_COUNTS)
def test_a_batchs_shared_group_parts_decide_what_each_event_alone_decides(
    counts: list[tuple[int, int, int, int]],
) -> None:
    events = _mixed_events(counts)
    alone, shared = load_engine(), load_engine()
    memo: Memo = {}
    for event in events:
        expected = [m.summary() for m in alone.decide(event, START).matches]
        got = [m.summary() for m in shared.decide(event, START, memo=memo).matches]
        assert got == expected
    # the stock rules' labels and title read data.location_id only: one part per rule and store
    assert len(memo) <= 2 * len({s for s, *_ in counts}) + len(events) - len(counts)


def test_a_rule_whose_labels_read_more_than_data_fields_is_decided_event_by_event() -> None:
    engine = load_engine()
    by_id = engine.by_id
    assert by_id["stock-variance-recount"].group_fields == ("location_id",)
    assert by_id["pickup-past-promise"].group_fields is None  # labels read facts


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_COUNTS)
def test_a_batch_leaves_the_tasks_and_lines_routing_one_by_one_leaves(
    tmp_path_factory: pytest.TempPathFactory, counts: list[tuple[int, int, int, int]]
) -> None:
    tmp = tmp_path_factory.mktemp("batch")
    events = _mixed_events(counts)

    def route(name: str, batch: bool) -> Any:
        db = connect(f"sqlite:///{tmp / name}")
        try:
            router = Router(db, load_engine(), clock=Clock())
            if batch:
                outcomes = router.route_many(events, validated=True)
            else:
                outcomes = [router.route(event) for event in events]
            tables = snapshot(db)
            audit = tables.pop("routing_audit")
            task_key = {t["id"]: (t["rule_id"], t["group_key"]) for t in tables["routing_tasks"]}
            audited = sorted(
                (e["action"], task_key.get(e["task_id"]), e["rule"], listed[0])
                for e in audit
                for listed in e["details"].get("events") or [[e["event_id"]]]
            )
            # a batch opens its groups' tasks together: ids may differ, nothing else
            opened = sorted(task_key[o.opened[0]] for o in outcomes if o.opened)
            return by_group(tables), audited, opened, [(o.event_id, o.duplicate) for o in outcomes]
        finally:
            db.dispose()

    assert route("batch.db", True) == route("alone.db", False)
