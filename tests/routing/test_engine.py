"""The engine: indexing by event type, continue, rule errors, classifier, maintenance windows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from hub.routing.audit import audit_entries
from hub.routing.classifier import Classification, VarianceHistoryScorer
from hub.routing.context import EventContext, reads_of
from hub.routing.dispatcher import Dispatcher
from hub.routing.engine import RoutingEngine
from hub.routing.errors import RulesError
from hub.routing.expressions import fold_constants
from hub.routing.router import Router
from hub.routing.rules import RulesFile
from hub.routing.targets import MemoryTarget
from hub.routing.tasks import list_tasks, task_detail
from tests.routing.conftest import FAST, START, Clock
from tests.routing.events import count, invoice

BASE = """
version: 3
targets: {ops: {kind: memory}, review: {kind: memory}, dm: {kind: memory}}
rules:
"""


def engine_of(rules_yaml: str, **kwargs: Any) -> RoutingEngine:
    return RoutingEngine(RulesFile.model_validate(yaml.safe_load(BASE + rules_yaml)), **kwargs)


VARIANCE = """
  - id: variance
    events: [retail.inventory.adjusted]
    condition: facts.abs_variance_units >= 3.0
    category: inventory_variance
    labels: {store: data.location_id}
    dedup_key: data.location_id + '/' + data.sku
    targets: [ops]
"""


def test_only_the_rules_of_the_event_type_are_tested() -> None:
    others = "".join(
        f"""
  - id: other-{i}
    events: [retail.order.created]
    condition: facts.order_value > {i}.0
    category: click_and_collect_delay
    targets: [ops]
"""
        for i in range(199)
    )
    engine = engine_of(VARIANCE + others)
    decision = engine.decide(count("S1", "A", 1, 10, START), START)
    assert decision.tested == 1
    assert [m.rule.ref for m in decision.matches] == ["variance@3"]


def test_the_first_match_stops_unless_it_says_continue() -> None:
    second = VARIANCE.replace("id: variance", "id: second")
    engine = engine_of(VARIANCE + second)
    assert len(engine.decide(count("S1", "A", 1, 10, START), START).matches) == 1
    engine = engine_of(
        VARIANCE.replace("targets: [ops]", "targets: [ops]\n    continue: true") + second
    )
    assert [
        m.rule.rule.id for m in engine.decide(count("S1", "A", 1, 10, START), START).matches
    ] == ["variance", "second"]


def test_a_rule_whose_expression_fails_on_an_event_does_not_fire_and_says_why() -> None:
    broken = VARIANCE.replace("facts.abs_variance_units >= 3.0", "data.no_such_field > 1")
    decision = engine_of(broken).decide(count("S1", "A", 1, 10, START), START)
    assert decision.matches == []
    assert "no_such_field" in decision.errors[0]


def test_a_condition_that_is_not_a_bool_is_an_error_not_truthy() -> None:
    decision = engine_of(VARIANCE.replace("facts.abs_variance_units >= 3.0", "1 + 1")).decide(
        count("S1", "A", 1, 10, START), START
    )
    assert decision.matches == []
    assert "must be a bool" in decision.errors[0]


def test_unknown_classifier_is_a_rules_error() -> None:
    with pytest.raises(RulesError, match="no classifier named 'nope'"):
        engine_of(VARIANCE + "    classifier: {name: nope, review_target: review}\n")


class Unsure:
    name = "unsure"

    def classify(self, context: EventContext) -> Classification:
        return Classification("anomalous", 0.2)


class Broken:
    name = "broken"

    def classify(self, context: EventContext) -> Classification:
        raise RuntimeError("model server down")


def test_low_confidence_sends_the_task_to_human_review() -> None:
    engine = engine_of(
        VARIANCE + "    classifier: {name: unsure, threshold: 0.5, review_target: review}\n",
        classifiers={"unsure": Unsure()},
    )
    [match] = engine.decide(count("S1", "A", 1, 10, START), START).matches
    assert match.review
    assert match.targets == ["review"]
    assert match.classification == Classification("anomalous", 0.2)


def test_a_failing_classifier_leaves_the_decision_to_the_rule() -> None:
    engine = engine_of(
        VARIANCE + "    classifier: {name: broken, review_target: review}\n",
        classifiers={"broken": Broken()},
    )
    [match] = engine.decide(count("S1", "A", 1, 10, START), START).matches
    assert not match.review
    assert match.targets == ["ops"]
    assert "model server down" in str(match.classifier_error)


def test_a_classifier_failure_is_logged_but_too_little_history_is_not_news(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="hub.routing.engine")
    broken = engine_of(
        VARIANCE + "    classifier: {name: broken, review_target: review}\n",
        classifiers={"broken": Broken()},
    )
    broken.decide(count("S1", "A", 1, 10, START), START)
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "model server down" in caplog.records[0].getMessage()
    caplog.clear()
    scored = engine_of(
        VARIANCE + "    classifier: {name: variance-history, review_target: review}\n",
        classifiers={"variance-history": VarianceHistoryScorer()},
    )
    # a pair's first counts: the scorer has no history yet, the rule decides alone, quietly
    [match] = scored.decide(count("S1", "A", 1, 10, START), START).matches
    assert "InsufficientHistory" in str(match.classifier_error)
    assert caplog.records == []


def test_variance_history_scorer_judges_against_the_store_sku_history() -> None:
    engine = engine_of(
        VARIANCE + "    classifier: {name: variance-history, review_target: review}\n",
        classifiers={"variance-history": VarianceHistoryScorer()},
    )
    # the scorer sees the counts its rule matched: 30–50 % short each time
    usual = [6, 7, 6, 5, 7, 6]
    for counted in usual:
        engine.decide(count("S1", "A", counted, 10, START), START)
    [same] = engine.decide(count("S1", "A", 6, 10, START), START).matches
    [odd] = engine.decide(count("S1", "A", 0, 10, START), START).matches
    assert same.classification is not None
    assert same.classification.label == "usual"
    assert odd.classification is not None
    assert odd.classification.label == "anomalous"
    assert odd.classification.confidence > 0.9


class OwnClassify(VarianceHistoryScorer):
    """The built-in scorer through its public ``classify`` (raising too little history), as a
    plugin sees it: the engine asks the built-in one's ``opinion`` instead."""

    def classify(self, context: EventContext) -> Classification:
        return super().classify(context)


def test_the_built_in_scorer_decides_as_through_its_classify() -> None:
    rules = VARIANCE + "    classifier: {name: variance-history, review_target: review}\n"
    fast = engine_of(rules, classifiers={"variance-history": VarianceHistoryScorer()})
    raised = engine_of(rules, classifiers={"variance-history": OwnClassify()})
    counted = [6, 7, 6, 5, 7, 6, 0, 6, 9, 1]
    for n, value in enumerate(counted * 2):
        event = count("S1", "AB"[n % 2], value, 10, START)
        assert [m.summary() for m in fast.decide(event, START).matches] == [
            m.summary() for m in raised.decide(event, START).matches
        ]
    assert fast.classifiers["variance-history"]._history == (  # type: ignore[attr-defined]
        raised.classifiers["variance-history"]._history  # type: ignore[attr-defined]
    )


WINDOWS = """
maintenance:
  - id: closed
    days: [mon]
    start: "20:00"
    end: "07:00"
    timezone: Europe/Berlin
    action: {action}
    rules: [variance]
    condition: data.location_id == 'S1'
"""


def _route(db: Engine, action: str, at: datetime) -> tuple[Router, dict[str, MemoryTarget]]:
    engine = engine_of(VARIANCE + WINDOWS.format(action=action))
    clock = Clock(at)
    router = Router(db, engine, clock=clock)
    targets = {"ops": MemoryTarget("ops")}
    router.route(count("S1", "A", 1, 10, at))
    router.route(count("S2", "A", 1, 10, at))  # another store: the window does not apply
    Dispatcher(router, target_overrides=targets, policy=FAST).tick()
    return router, targets


MONDAY_NIGHT = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 23:00 in Berlin


def test_a_delay_window_holds_notification_until_it_ends(db: Engine) -> None:
    router, targets = _route(db, "delay", MONDAY_NIGHT)
    assert [n.labels["store"] for n in targets["ops"].sent] == ["S2"]
    [s1] = [t for t in list_tasks(db) if t["labels"]["store"] == "S1"]
    assert s1["notify_after"] == "2026-11-24T06:00:00+00:00"  # 07:00 in Berlin
    assert "closed" in s1["state_reason"]
    dispatcher = Dispatcher(router, target_overrides=targets, policy=FAST)
    dispatcher.tick(datetime(2026, 11, 24, 6, 0, 1, tzinfo=UTC))
    assert [n.labels["store"] for n in targets["ops"].sent] == ["S2", "S1"]


def test_a_mute_window_records_the_task_and_notifies_nobody(db: Engine) -> None:
    _, targets = _route(db, "mute", MONDAY_NIGHT)
    [s1] = [t for t in list_tasks(db) if t["labels"]["store"] == "S1"]
    assert s1["state"] == "held"
    assert s1["state_reason"] == "muted by maintenance window closed"
    assert [n.labels["store"] for n in targets["ops"].sent] == ["S2"]


def test_outside_the_window_nothing_is_delayed(db: Engine) -> None:
    _, targets = _route(db, "delay", MONDAY_NIGHT - timedelta(hours=10))
    assert sorted(n.labels["store"] for n in targets["ops"].sent) == ["S1", "S2"]


def test_an_invalid_event_becomes_a_dead_letter_with_its_bytes(db: Engine) -> None:
    from hub.deadletter import DeadLetterService

    router = Router(db, engine_of(VARIANCE), clock=Clock())
    bad = count("S1", "A", 1, 10, START)
    bad["data"]["counted_quantity"]["value"] = "a dozen"
    outcome = router.route(bad)
    assert outcome.dead_lettered
    [letter] = DeadLetterService(db).list(stage="route")
    assert b"a dozen" in letter.payload
    assert "counted_quantity" in letter.reason


def test_an_event_no_rule_can_match_is_dismissed_unread(db: Engine) -> None:
    from hub.deadletter import DeadLetterService

    router = Router(db, engine_of(VARIANCE), clock=Clock())
    # no rule names invoices: not even validated (its producer did), nothing recorded
    bad = invoice("INV-1", "9.00", START)
    bad["data"]["currency"] = "XXX-not-a-currency"
    outcomes = router.route_many([bad, count("S1", "A", 1, 10, START)])
    assert [(o.dismissed, o.dead_lettered, bool(o.opened)) for o in outcomes] == [
        (True, False, False),
        (False, False, True),
    ]
    assert DeadLetterService(db).list(stage="route") == []
    assert [e["event_id"] for e in audit_entries(db)] == [outcomes[1].event_id]


def test_the_context_holds_only_what_the_rules_of_the_type_read() -> None:
    engine = engine_of(VARIANCE)
    reads = engine.reads("retail.inventory.adjusted")
    assert reads == {"facts": {"abs_variance_units"}, "data": {"location_id", "sku"}}
    ctx = engine.context(count("S1", "A", 1, 10, START), START)
    lean = engine.decide(count("S1", "A", 1, 10, START), START).context
    assert set(lean.cel.variables) == {"facts", "data"}
    assert set(lean.cel.variables["data"]) == {"location_id", "sku"}
    assert lean.data == ctx.data  # the Python views stay whole
    assert lean.facts == ctx.facts
    # a bare variable or an index reads all of it
    assert reads_of(["size(data) > 0 && params['x'] == 1", "now > event.time"]) == {
        "data": None,
        "params": None,
        "now": None,
        "event": {"time"},
    }


def test_lines_keep_the_figures_of_each_exception(db: Engine) -> None:
    router = Router(
        db,
        engine_of(
            VARIANCE.replace(
                "targets: [ops]",
                "targets: [ops]\n    line: {sku: data.sku, short: facts.variance_units}",
            )
        ),
        clock=Clock(),
    )
    [task_id] = router.route(count("S1", "A", 1, 10, START)).opened
    [line] = task_detail(db, task_id)["lines"]
    assert line["fields"]["short"] == "-9"


def test_params_are_compiled_in_as_constants_but_not_inside_strings_or_other_fields() -> None:
    folded = fold_constants(
        "facts.a >= params.units && x.params.units == 'params.units' && params.on"
        ' && params.name == "say \\"params.units\\"" && params.missing',
        {"units": 3, "on": True, "name": "it's", "ratio": 2.5},
    )
    assert folded == (
        "facts.a >= 3 && x.params.units == 'params.units' && true"
        ' && "it\'s" == "say \\"params.units\\"" && params.missing'
    )
    rules = BASE.replace("version: 3", "version: 3\nparams: {units: 3.0}")
    rules += VARIANCE.replace(">= 3.0", ">= params.units")
    engine = RoutingEngine(RulesFile.model_validate(yaml.safe_load(rules)))
    assert "params" not in engine.reads("retail.inventory.adjusted")
    assert engine.decide(count("S1", "A", 1, 10, START), START).matches
    assert not engine.decide(count("S1", "A", 9, 10, START), START).matches


def test_variance_history_scorer_forgets_the_least_recently_counted_pair_first() -> None:
    # a bulk file of a million SKUs must not grow the hub by each of its pairs
    engine = engine_of(
        VARIANCE + "    classifier: {name: variance-history, review_target: review}\n",
        classifiers={"variance-history": VarianceHistoryScorer(min_history=1, max_keys=2)},
    )

    def judged(sku: str) -> bool:
        [match] = engine.decide(count("S1", sku, 6, 10, START), START).matches
        return match.classification is not None

    assert not judged("A")
    assert not judged("B")
    assert judged("A")  # A is the most recent now, B the least
    assert not judged("C")  # a third pair: B is forgotten
    assert judged("A")
    assert not judged("B")
