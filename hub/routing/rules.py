"""The rules file as typed value objects (``routing.yaml``); validation lives in the models.

CEL expressions are kept as source text here; :mod:`hub.routing.expressions` compiles them once
when a :class:`~hub.routing.engine.RoutingEngine` is built.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from hub.routing.durations import Duration
from hub.routing.priority import ImpactPolicy
from hub.routing.targets import TargetConfig
from hub.routing.taxonomy import BUILTIN_CATEGORIES, Severity, TaskState

__all__ = [
    "CancelOn",
    "ClassifierUse",
    "EscalationPolicy",
    "EscalationStep",
    "Inhibition",
    "MaintenanceWindow",
    "Rule",
    "RulesFile",
    "SlaDefinition",
]

_CONFIG = ConfigDict(extra="forbid", frozen=True)
_Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$")]
_Expr = Annotated[str, StringConstraints(min_length=1)]
_Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_ALL_DAYS: list[_Day] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SlaDefinition(BaseModel):
    """An SLA clock on a task: runs from ``start`` states, pauses in ``pause``, stops in ``stop``.

    Notifications go to the rule's targets at 50 % and 75 % of ``within`` and at breach.
    """

    model_config = _CONFIG

    name: _Id
    within: Duration
    start: list[TaskState] = [TaskState.OPEN, TaskState.ESCALATED]
    pause: list[TaskState] = [TaskState.HELD]
    stop: list[TaskState] = [TaskState.RESOLVED]
    notify_at: list[Annotated[int, Field(gt=0, le=100)]] = [50, 75, 100]


class EscalationStep(BaseModel):
    """Wait ``after`` (from the previous step, or from notification) unacknowledged, then notify."""

    model_config = _CONFIG

    after: Duration
    notify: list[str] = Field(min_length=1)


class EscalationPolicy(BaseModel):
    """PagerDuty-style: the steps in order while nobody acknowledges, ``repeat`` more rounds."""

    model_config = _CONFIG

    steps: list[EscalationStep] = Field(min_length=1)
    repeat: Annotated[int, Field(ge=0, le=10)] = 0
    """How many extra rounds after the first (0: the steps once)."""


class CancelOn(BaseModel):
    """A deferred check is dropped when one of ``events`` arrives with the same ``key``."""

    model_config = _CONFIG

    events: list[str] = Field(min_length=1)
    key: _Expr
    """CEL, evaluated on the cancelling event; must equal the rule's ``defer_key``."""


class ClassifierUse(BaseModel):
    """Ask a classifier; below ``threshold`` the task goes to ``review_target`` instead."""

    model_config = _CONFIG

    name: str
    threshold: Annotated[float, Field(ge=0, le=1)] = 0.6
    review_target: str


class Rule(BaseModel):
    """Match event types and a CEL condition; classify; group; route; time; escalate."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: _Id
    version: Annotated[int, Field(ge=1)] | None = None
    """The rule's own version; defaults to the file's."""
    description: str = ""
    events: list[str] = Field(min_length=1)
    """Event types (``retail.inventory.adjusted``), or ``*`` for every type."""
    condition: _Expr = "true"
    category: str
    severity: str = "medium"
    urgency: Annotated[int, Field(ge=1, le=3)] = 2
    value_at_risk: _Expr | None = None
    """CEL giving the money at stake (number); feeds impact through the rules file's policy."""
    store: _Expr | None = None
    """CEL giving the store id for the tier lookup (default: ``data.location_id`` when present)."""
    customer: _Expr | None = None
    """CEL giving the customer ref for the tier lookup (default: ``data.customer_ref``)."""
    title: _Expr | None = None
    """CEL giving the task title (default: the rule's description or id)."""
    labels: dict[str, _Expr] = Field(default_factory=dict)
    """Label → CEL; labels group tasks, drive inhibition and are shown on each task."""
    line: dict[str, _Expr] = Field(default_factory=dict)
    """Column → CEL: what one exception contributes as a line of its task."""
    dedup_key: _Expr | None = None
    """CEL giving the exception's identity; same key → same line (default: the event id)."""
    group_by: list[str] = Field(default_factory=list)
    """Labels whose equal values share one task (empty: one task per dedup key)."""
    group_wait: Duration = timedelta(0)
    group_interval: Duration | None = None
    """After the first notice, tell the targets again about new lines at most this often
    (Alertmanager's group_interval); None: lines join silently."""
    targets: list[str] = Field(default_factory=list)
    continue_: bool = Field(False, alias="continue")
    """Keep matching later rules after this one fired."""
    sla: list[SlaDefinition] = Field(default_factory=list)
    escalation: EscalationPolicy | None = None
    defer_until: _Expr | None = None
    """CEL timestamp: check the condition at that time, not on arrival (promised-by times)."""
    defer_key: _Expr | None = None
    """CEL identity of a deferred check (required with ``defer_until``)."""
    cancel_on: CancelOn | None = None
    classifier: ClassifierUse | None = None

    @field_validator("severity")
    @classmethod
    def _check_severity(cls, value: str) -> str:
        Severity.parse(value)
        return value

    @model_validator(mode="after")
    def _check_rule(self) -> Self:
        missing = sorted(set(self.group_by) - set(self.labels))
        if missing:
            raise ValueError(f"group_by names labels the rule does not define: {missing}")
        if (self.defer_until is None) != (self.defer_key is None):
            raise ValueError("defer_until and defer_key go together")
        if self.cancel_on is not None and self.defer_until is None:
            raise ValueError("cancel_on needs defer_until")
        return self


class Inhibition(BaseModel):
    """While a task of a ``source`` rule is open, tasks of ``target`` rules with equal labels wait.

    Alertmanager semantics for ``equal``: the named labels must have the same value on both
    tasks (a label missing on both counts as equal).
    """

    model_config = _CONFIG

    id: _Id
    source_rules: list[str] = Field(min_length=1)
    target_rules: list[str] = Field(min_length=1)
    equal: list[str] = Field(default_factory=list)
    description: str = ""


class MaintenanceWindow(BaseModel):
    """A weekly window (``days``, ``start``–``end`` local time) that mutes or delays routing."""

    model_config = _CONFIG

    id: _Id
    days: list[_Day] = Field(default_factory=lambda: list(_ALL_DAYS))
    start: time
    end: time
    """May be before ``start``: the window then runs past midnight into the next day."""
    timezone: str = "UTC"
    action: Literal["mute", "delay"] = "delay"
    """``mute``: record the task, notify nobody; ``delay``: notify when the window ends."""
    rules: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    """Which tasks the window applies to (both empty: every task)."""
    condition: _Expr | None = None
    """CEL on the event: only matching events (e.g. one store) are affected."""
    description: str = ""


class RulesFile(BaseModel):
    """A whole ``routing.yaml``."""

    model_config = _CONFIG

    version: Annotated[int, Field(ge=1)]
    description: str = ""
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    """Named values the expressions read as ``params.<name>`` (thresholds, unit values)."""
    taxonomy: dict[str, str] = Field(default_factory=dict)
    """Extra categories (name → meaning) on top of the built-in ones."""
    impact: ImpactPolicy = ImpactPolicy()
    targets: dict[str, TargetConfig] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)
    inhibit: list[Inhibition] = Field(default_factory=list)
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        problems: list[str] = []
        categories = BUILTIN_CATEGORIES.keys() | self.taxonomy.keys()
        rule_ids = [r.id for r in self.rules]
        repeated = sorted({i for i in rule_ids if rule_ids.count(i) > 1})
        if repeated:
            problems.append(f"rule ids repeated: {repeated}")
        for i, rule in enumerate(self.rules):
            if rule.category not in categories:
                problems.append(
                    f"rules[{i}] ({rule.id}): category {rule.category!r} is not in the taxonomy"
                )
            named = list(rule.targets)
            if rule.escalation:
                named += [t for step in rule.escalation.steps for t in step.notify]
            if rule.classifier:
                named.append(rule.classifier.review_target)
            unknown = sorted(set(named) - self.targets.keys())
            if unknown:
                problems.append(f"rules[{i}] ({rule.id}): unknown targets {unknown}")
        for i, inhibition in enumerate(self.inhibit):
            unknown = sorted(set(inhibition.source_rules + inhibition.target_rules) - set(rule_ids))
            if unknown:
                problems.append(f"inhibit[{i}] ({inhibition.id}): unknown rules {unknown}")
        for i, window in enumerate(self.maintenance):
            unknown = sorted(set(window.rules) - set(rule_ids))
            if unknown:
                problems.append(f"maintenance[{i}] ({window.id}): unknown rules {unknown}")
            try:
                from zoneinfo import ZoneInfo

                ZoneInfo(window.timezone)
            except (KeyError, ValueError, OSError):
                problems.append(
                    f"maintenance[{i}] ({window.id}): unknown timezone {window.timezone!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def rule_version(self, rule: Rule) -> int:
        """The version audit records for ``rule``: its own, else the file's."""
        return rule.version or self.version
