"""Rules reload without dropping in-flight work; SLA clocks pause while a task is held."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.routing.audit import audit_entries
from hub.routing.dispatcher import Dispatcher
from hub.routing.errors import RulesError
from hub.routing.loader import load_engine, rules_path
from hub.routing.router import Router
from hub.routing.targets import MemoryTarget
from hub.routing.tasks import acknowledge, list_tasks, resolve, task_detail
from tests.routing.conftest import FAST, Clock, memory_targets
from tests.routing.events import count, dead_letter_event


def _copy_rules(tmp_path: Path, **replace: str) -> Path:
    text = rules_path().read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "routing.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reload_while_routing_keeps_every_event_and_open_tasks_keep_their_promises(
    db: Engine, tmp_path: Path, clock: Clock
) -> None:
    router = Router(db, load_engine(), clock=clock)
    new_rules = _copy_rules(
        tmp_path,
        **{"version: 1\n": "version: 2\n", "targets: [store-ops]\n": "targets: [human-review]\n"},
    )
    events = [count("S002", f"SKU-{i}", 1, 10, clock()) for i in range(200)]
    outcomes = []

    def route_all() -> None:
        outcomes.extend(router.route(e) for e in events)

    thread = threading.Thread(target=route_all)
    thread.start()
    router.reload(new_rules)
    thread.join(timeout=120)
    assert len(outcomes) == 200
    assert not [o for o in outcomes if o.dead_lettered or o.errors]
    [task] = list_tasks(db, rule="stock-variance-recount")
    assert len(task_detail(db, task["id"])["lines"]) == 200
    # the task opened under version 1 (or 2) keeps the targets it opened with
    assert task["targets"] in (["store-ops"], ["human-review"])
    assert task["rule_version"] in (1, 2)
    [reloaded] = audit_entries(db, action="rules_reloaded")
    assert reloaded["details"]["version"] == 2
    assert router.engine.rules.version == 2


def test_a_broken_rules_file_leaves_the_current_rules_in_place(
    db: Engine, tmp_path: Path, clock: Clock
) -> None:
    router = Router(db, load_engine(), clock=clock)
    before = router.engine
    broken = _copy_rules(tmp_path, **{"category: invoice_mismatch\n": "category: nonsense\n"})
    with pytest.raises(RulesError, match="nonsense"):
        router.reload(broken)
    assert router.engine is before


def test_held_time_does_not_count_against_the_sla(db: Engine, clock: Clock) -> None:
    router = Router(db, load_engine(), clock=clock)
    targets: dict[str, MemoryTarget] = memory_targets()
    dispatcher = Dispatcher(router, target_overrides=targets, policy=FAST)
    for i in range(1, 6):
        router.route(dead_letter_event(i, "pos-s002", "S002", i, clock()))
    router.route(count("S002", "SKU-1", 1, 10, clock()))
    clock.advance(minutes=11)
    dispatcher.tick()
    [recount] = list_tasks(db, rule="stock-variance-recount")
    assert recount["state"] == "held"
    clock.advance(hours=10)  # held for ten hours: the 4 h response SLA must not breach
    dispatcher.tick()
    [burst] = list_tasks(db, rule="connector-dead-letter-burst")
    resolve(db, burst["id"], actor="ops", now=clock())
    dispatcher.tick()
    detail = task_detail(db, recount["id"])
    assert detail["state"] == "open"
    assert not [n for n in targets["store-ops"].sent if n.purpose.startswith("sla_")]
    clock.advance(hours=2, minutes=1)  # just past half of the 4 h response time
    dispatcher.tick()
    assert [n.purpose for n in targets["store-ops"].sent] == ["released", "sla_response_50"]
    acknowledge(db, recount["id"], actor="store-manager", now=clock())
    clock.advance(hours=5)  # acknowledged: the response clock stopped, the resolution one runs
    dispatcher.tick()
    purposes = [n.purpose for n in targets["store-ops"].sent]
    assert "sla_response_75" not in purposes
    clocks = {c["name"]: c for c in task_detail(db, recount["id"])["sla_clocks"]}
    assert clocks["response"]["status"] == "stopped"
    assert clocks["resolution"]["status"] == "running"
    assert not [n for n in targets["district-manager"].sent if n.purpose.startswith("escalation")]


def test_the_worker_reloads_a_changed_rules_file_and_keeps_the_old_rules_on_a_broken_one(
    db: Engine, tmp_path: Path, clock: Clock
) -> None:
    import os

    from hub.routing.worker import RoutingWorker

    path = _copy_rules(tmp_path)
    router = Router(db, load_engine(path), clock=clock)
    worker = RoutingWorker(router, Dispatcher(router, policy=FAST), rules_file=path)
    assert not worker.reload_if_changed()
    path.write_text(path.read_text().replace("version: 1\n", "version: 7\n", 1))
    os.utime(path, ns=(1, 1))  # a distinct stamp even within one clock tick
    assert worker.reload_if_changed()
    assert router.engine.rules.version == 7
    path.write_text(path.read_text().replace("version: 7\n", "version: x\n", 1))
    assert not worker.reload_if_changed()
    assert router.engine.rules.version == 7
