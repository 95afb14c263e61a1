"""Exception routing: rules as data (CEL), tasks with grouping and dedup, targets, SLAs.

Module map::

    rules.py        the rules file as typed value objects (routing.yaml)
    loader.py       reading and checking a rules file, every problem with its line
    expressions.py  CEL compiled once (common-expression-language)
    context.py      one event's CEL context, built once per event
    facts.py        derived figures per event type (variance %, minutes past promise…)
    engine.py       which rules match an event and what they decide (pure)
    taxonomy.py     categories, severities, task states
    priority.py     impact × urgency → priority; impact from value at risk and tier
    classifier.py   the (label, confidence) hook and the built-in variance-history scorer
    maintenance.py  recurring maintenance windows
    errors.py       the routing error tree
    durations.py    ``5m``/``4h`` durations in rules files
    tables.py       tasks, lines, SLA clocks, deliveries, deferred checks, audit (SQLAlchemy)
    transactions.py write transactions that queue on SQLite and settle races on PostgreSQL
    tasks.py        open or join a task (dedup, grouping), ack, resolve, read
    router.py       events → decisions → tasks, in one transaction per event; reload
    dispatcher.py   the clock-driven half: deferred checks, group wait, inhibition, SLA, escalation
    inhibition.py   open source tasks holding back target tasks
    sla.py          SLA clocks: start, pause, stop; 50 %/75 %/breach
    escalation.py   escalation steps due while unacknowledged
    deliveries.py   the outbox: retried sends, dead letters at stage ``deliver``
    audit.py        the audit trail
    explain.py      ``crossdock routing test``: a decision explained
    deadletter_feed.py  dead letters as ``crossdock.deadletter.recorded`` events
    worker.py       bus consumer + dead-letter feed + ticks + rules reload
    api.py          /routing/tasks, ack, resolve, /routing/audit
    targets/        webhook, queue, servicenow, jira, smtp, chat, memory — one module each
"""

from hub.routing.classifier import Classification, Classifier, VarianceHistoryScorer
from hub.routing.engine import Decision, Match, RoutingEngine
from hub.routing.errors import (
    DeliveryError,
    ExpressionError,
    RoutingError,
    RulesError,
    TargetRejected,
    TargetUnavailable,
    TaskError,
)
from hub.routing.loader import load_engine, load_rules, rules_path
from hub.routing.rules import RulesFile
from hub.routing.taxonomy import Severity, TaskState

__all__ = [
    "Classification",
    "Classifier",
    "Decision",
    "DeliveryError",
    "ExpressionError",
    "Match",
    "RoutingEngine",
    "RoutingError",
    "RulesError",
    "RulesFile",
    "Severity",
    "TargetRejected",
    "TargetUnavailable",
    "TaskError",
    "TaskState",
    "VarianceHistoryScorer",
    "load_engine",
    "load_rules",
    "rules_path",
]
