"""End to end: a day of store events in; the expected tasks at the expected targets.

Grouped (one recount task per store), inhibited (S002's variances held back while its POS
connector dead-letters, released when that is resolved), deferred (a pickup order checked at
its promised time, cancelled when it was ready), escalated (an unacknowledged task reaches the
district manager) — all on a clock the test moves, no sleeping.
"""

from __future__ import annotations

from hub.routing.audit import audit_entries
from hub.routing.dispatcher import Dispatcher
from hub.routing.router import Router
from hub.routing.targets import MemoryTarget
from hub.routing.tasks import acknowledge, list_tasks, resolve, task_detail
from hub.routing.worker import RoutingWorker
from tests.routing.conftest import Clock
from tests.routing.events import order_event
from tests.routing.scenario import morning_events, pos_dead_letters


def _sent(target: MemoryTarget) -> list[tuple[str, str, str]]:
    return [(n.rule.split("@")[0], n.purpose, n.labels.get("store", "")) for n in target.sent]


def _tasks(router: Router, rule: str) -> list[dict[str, object]]:
    return list_tasks(
        router.db,
        rule=rule,
        states=["pending", "held", "open", "escalated", "acknowledged", "resolved"],
    )


def test_a_day_of_store_events(
    router: Router, dispatcher: Dispatcher, targets: dict[str, MemoryTarget], clock: Clock
) -> None:
    worker = RoutingWorker(router, dispatcher)
    for event in morning_events():
        router.route(event)
    clock.advance(minutes=2)
    pos_dead_letters(router.db)
    assert worker.feed_dead_letters() == 6
    dispatcher.tick()

    # the connector burst opened one integration task at once (no group wait)
    [integration] = _tasks(router, "connector-dead-letter-burst")
    assert integration["severity"] == "high"
    assert integration["labels"] == {"connector": "pos-s002", "store": "S002"}
    assert _sent(targets["integration-support"]) == [
        ("connector-dead-letter-burst", "opened", "S002")
    ]
    assert len(task_detail(router.db, int(str(integration["id"])))["lines"]) == 2  # 5th and 6th

    # nothing else yet: the variance tasks wait out their group wait
    assert targets["store-ops"].sent == []
    clock.advance(minutes=9)  # 08:11
    dispatcher.tick()

    # S001: one recount task with four lines; one district task with the far-off SKU
    recounts = {t["labels"]["store"]: t for t in _tasks(router, "stock-variance-recount")}  # type: ignore[index]
    assert set(recounts) == {"S001", "S002"}
    s001 = task_detail(router.db, int(str(recounts["S001"]["id"])))
    assert sorted(line["fields"]["sku"] for line in s001["lines"]) == [
        "SKU-A",
        "SKU-B",
        "SKU-C",
        "SKU-D",
    ]
    assert s001["state"] == "open"
    assert s001["severity"] == "medium"
    # graded on its four lines together: 53 units × 25 = 1,325 at risk is medium impact,
    # raised to high at the flagship (the first line alone, 75, was low)
    assert s001["value_at_risk"] == "1325.00"
    assert (s001["impact"], s001["priority"]) == (1, 2)
    [store_ops] = targets["store-ops"].sent
    assert store_ops.labels == {"store": "S001"}
    assert len(store_ops.lines) == 4
    [district] = targets["district-manager"].sent
    # 38 units × 25 = 950 at risk: medium impact, raised to high at the flagship; urgency 1
    assert (district.rule, district.severity, district.impact, district.priority) == (
        "stock-variance-district@1",
        "high",
        1,
        1,
    )
    assert [line["sku"] for line in district.lines] == ["SKU-D"]

    # S002's variances are held back by its POS outage, not sent anywhere
    s002 = task_detail(router.db, int(str(recounts["S002"]["id"])))
    assert s002["state"] == "held"
    assert "connector-outage-holds-variance" in s002["state_reason"]
    assert s002["deliveries"] == []
    [held_district] = [
        t for t in _tasks(router, "stock-variance-district") if t["labels"] == {"store": "S002"}
    ]
    assert held_district["state"] == "held"

    # invoices, returns: one AP task, two loss-prevention reviews
    assert _sent(targets["accounts-payable"]) == [("invoice-mismatch", "opened", "")]
    assert targets["accounts-payable"].sent[0].lines[0]["invoice"] == "INV-1"
    assert sorted(n.lines[0]["rma"] for n in targets["loss-prevention"].sent) == ["R-1", "R-3"]
    assert {n.severity for n in targets["loss-prevention"].sent} == {"high"}

    # 11:00: O-1 is ready for pickup, so its deferred check is cancelled
    clock.advance(hours=2, minutes=49)
    assert router.route(order_event("retail.order.ready_for_pickup", "O-1", clock())).cancelled == 1

    # 12:15: O-1's promised time passed without a task; the S001 recount, unacknowledged for
    # four hours, escalates to the district manager; the AP task was acknowledged in time
    acknowledge(
        router.db, int(targets["accounts-payable"].sent[0].task_id), actor="ap-clerk", now=clock()
    )
    clock.advance(hours=1, minutes=15)
    dispatcher.tick()
    assert targets["store-fulfilment"].sent == []
    escalations = [
        n for n in targets["district-manager"].sent if n.purpose.startswith("escalation")
    ]
    assert [(n.rule, n.labels["store"], n.escalation_level) for n in escalations] == [
        ("stock-variance-recount@1", "S001", 1)
    ]
    assert task_detail(router.db, s001["id"])["state"] == "escalated"
    breaches = [n.purpose for n in targets["store-ops"].sent if n.purpose.startswith("sla_")]
    assert breaches == ["sla_response_50", "sla_response_75", "sla_response_breach"]
    assert not [n for n in targets["accounts-payable"].sent if n.purpose.startswith("sla_")]

    # 13:05: O-2 (promised for 13:00) is late: store fulfilment and customer service are told
    clock.advance(minutes=50)
    dispatcher.tick()
    [late] = targets["store-fulfilment"].sent
    assert (late.category, late.severity, late.labels) == (
        "click_and_collect_delay",
        "high",
        {"store": "S003"},
    )
    assert late.lines[0]["order"] == "O-2"
    assert [n.lines[0]["order"] for n in targets["customer-service"].sent] == ["O-2"]

    # 13:40: nobody acknowledged O-2 within 30 minutes: customer service gets the escalation
    clock.advance(minutes=35)
    dispatcher.tick()
    assert [n.purpose for n in targets["customer-service"].sent] == [
        "opened",
        "sla_response_50",
        "sla_response_75",
        "sla_response_breach",
        "escalation-1",
    ]

    # the POS connector is fixed: S002's held variances are released to their teams
    resolve(
        router.db,
        int(str(integration["id"])),
        actor="integration-team",
        now=clock(),
        note="POS mapping fixed, sales re-posted",
    )
    dispatcher.tick()
    assert _sent(targets["store-ops"])[-1] == ("stock-variance-recount", "released", "S002")
    assert ("stock-variance-district", "released", "S002") in _sent(targets["district-manager"])

    # the audit trail tells the story: who acted, what was held back and why
    held = audit_entries(router.db, action="held")
    assert {e["details"]["inhibition"] for e in held} == {"connector-outage-holds-variance"}
    [ack] = audit_entries(router.db, action="acknowledged")
    assert ack["actor"] == "ap-clerk"
    opened = audit_entries(router.db, action="opened", rule="stock-variance-recount@1")
    assert all(len(e["input_digest"]) == 64 for e in opened)
    assert not [
        e for e in audit_entries(router.db, limit=1000) if e["action"] == "delivery_dead_lettered"
    ]
    assert task_detail(router.db, s002["id"])["state"] == "open"
