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
