"""The routing engine: which rules an event matches, and what each match decides.

Pure: no database, no network (a classifier aside). Rules are compiled once and indexed by event
type, so an event is only tested against the rules that name its type (and the ``*`` rules);
the event's CEL context is built once and shared by all of them. The stateful parts — tasks,
grouping, inhibition by open tasks, SLA clocks, deliveries — live in :mod:`hub.routing.router`
and :mod:`hub.routing.dispatcher`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from hub.routing.classifier import (
    Classification,
    Classifier,
    InsufficientHistory,
    VarianceHistoryScorer,
    load_classifiers,
)
from hub.routing.context import EventContext, Reads, build_context, reads_of
from hub.routing.errors import ExpressionError, RuleProblem, RulesError
from hub.routing.expressions import Expression
from hub.routing.maintenance import window_end
from hub.routing.native import Native, Unsupported, lower_rule
from hub.routing.priority import PRIORITY_MATRIX, grader
from hub.routing.rules import ClassifierUse, MaintenanceWindow, Rule, RulesFile
from hub.routing.taxonomy import Severity

__all__ = ["CompiledRule", "Decision", "GroupPart", "Match", "Memo", "RoutingEngine", "WindowHit"]

log = logging.getLogger(__name__)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with every expression compiled."""

    rule: Rule
    version: int
    order: int
    condition: Expression
    labels: dict[str, Expression]
    line: dict[str, Expression]
    dedup_key: Expression | None
    value_at_risk: Expression | None
    store: Expression | None
    customer: Expression | None
    title: Expression | None
    defer_until: Expression | None
    defer_key: Expression | None
    cancel_key: Expression | None
    severity: Severity
    native: Native | None = None
    """The whole rule in Python (:func:`~hub.routing.native.lower_rule`) when it defers nothing
    and every expression of it lowers: None when the condition is false, else the values of
    :func:`_parts` in order. Raising, it leaves the event to the expressions one by one."""
    group_fields: tuple[str, ...] | None = None
    """The ``data`` fields its labels, title, store and customer read, when that is all they
    read: matches with equal values share those (:class:`GroupPart`), computed once a batch."""

    @property
    def ref(self) -> str:
        """``id@version``, as the audit trail names it."""
        return f"{self.rule.id}@{self.version}"


@dataclass(frozen=True, slots=True)
class WindowHit:
    """A maintenance window open for a match: what it does and until when."""

    window: str
    action: str
    until: datetime


@dataclass(frozen=True, slots=True)
class GroupPart:
    """What a rule decides from its group's fields alone: equal for every event of a group."""

    labels: dict[str, str]
    title: str
    store: str | None
    customer: str | None
    group_key: str | None
    """None when the rule groups by dedup key (each event's own)."""


Memo = dict[tuple[Any, ...], GroupPart]
"""Group parts already decided in one batch (same rules, same time), by rule and fields."""

_ABSENT = object()


@dataclass(slots=True)
class Match:
    """One rule that fired on one event, with everything it decided."""

    rule: CompiledRule
    category: str
    severity: Severity
    impact: int
    urgency: int
    priority: int
    value_at_risk: Decimal
    title: str
    labels: dict[str, str]
    line: dict[str, Any]
    dedup_key: str
    group_key: str
    targets: list[str]
    classification: Classification | None = None
    review: bool = False
    classifier_error: str | None = None
    windows: list[WindowHit] = field(default_factory=list)
    store: str | None = None
    """Store the impact tier was looked up for."""
    customer: str | None = None
    """Customer the impact tier was looked up for."""
    deferred_until: datetime | None = None
    defer_key: str | None = None

    def summary(self) -> dict[str, Any]:
        """A JSON-ready account of the match (``routing test`` output, audit details)."""
        return {
            "rule": self.rule.ref,
            "category": self.category,
            "severity": self.severity.label,
            "impact": self.impact,
            "urgency": self.urgency,
            "priority": self.priority,
            "value_at_risk": str(self.value_at_risk),
            "title": self.title,
            "labels": self.labels,
            "line": {k: str(v) for k, v in self.line.items()},
            "dedup_key": self.dedup_key,
            "group_by": self.rule.rule.group_by,
            "group_key": self.group_key,
            "group_wait_s": self.rule.rule.group_wait.total_seconds(),
            "targets": self.targets,
            "classification": (
                {"label": self.classification.label, "confidence": self.classification.confidence}
                if self.classification
                else None
            ),
            "review": self.review,
            "classifier_error": self.classifier_error,
            "maintenance": [
                {"window": w.window, "action": w.action, "until": w.until.isoformat()}
                for w in self.windows
            ],
            "deferred_until": self.deferred_until.isoformat() if self.deferred_until else None,
        }


@dataclass(slots=True)
class Decision:
    """Everything the rules decided about one event."""

    context: EventContext
    matches: list[Match]
    errors: list[str]
    """Rules whose expressions failed on this event (they did not fire); named with why."""
    cancels: list[tuple[str, str]]
    """(rule id, defer key) of deferred checks this event cancels."""
    tested: int
    """How many rules were looked at (the index keeps this small)."""


class RoutingEngine:
    """A compiled rules file: ``decide(event, at)`` → :class:`Decision`."""

    def __init__(
        self,
        rules: RulesFile,
        *,
        source: str = "<rules>",
        classifiers: Mapping[str, Classifier] | None = None,
    ) -> None:
        self.rules = rules
        self.source = source
        self.classifiers: dict[str, Classifier] = (
            dict(classifiers) if classifiers is not None else load_classifiers()
        )
        self.compiled: list[CompiledRule] = []
        self.windows: list[tuple[MaintenanceWindow, Expression | None]] = []
        problems = self._compile_all(source)
        if problems:
            raise RulesError(problems)
        self.by_id = {c.rule.id: c for c in self.compiled}
        self._wildcard = [c for c in self.compiled if "*" in c.rule.events]
        self._index: dict[str, list[CompiledRule]] = {}
        for c in self.compiled:
            for event_type in c.rule.events:
                if event_type != "*":
                    self._index.setdefault(event_type, []).append(c)
        for event_type, listed in self._index.items():
            self._index[event_type] = sorted([*listed, *self._wildcard], key=lambda c: c.order)
        self._cancellers: dict[str, list[CompiledRule]] = {}
        for c in self.compiled:
            if c.rule.cancel_on:
                for event_type in c.rule.cancel_on.events:
                    self._cancellers.setdefault(event_type, []).append(c)
        self._reads: dict[str, Reads] = {}
        self._impact = grader(self.rules.impact)  # this engine's policy: a reload makes another
        # what every match reads of its rule, its windows and the rules file, read once: a
        # pydantic model's attribute passes its __getattr__ hook (~15 reads an event)
        self._params, self._policy = self.rules.params, self.rules.impact
        self._plain: list[_RulePlain] = [
            (r.category, r.urgency, r.targets, r.classifier, r.continue_, r.id)
            for r in (c.rule for c in self.compiled)
        ]
        self._window_tests = [(w.rules, w.categories, w, cond) for w, cond in self.windows]

    def wants(self, event_type: str) -> bool:
        """Whether any rule can match (or cancel on) an event of ``event_type``: the rest are
        dismissed before anything of them is read or validated."""
        # rules_for's list is never empty for an indexed type (a rule named it)
        return event_type in self._index or bool(self._wildcard) or event_type in self._cancellers

    def reads(self, event_type: str) -> Reads:
        """What the rules an event of ``event_type`` meets read of its context."""
        found = self._reads.get(event_type)
        if found is None:
            sources = [cond.compiled for _w, cond in self.windows if cond is not None]
            for c in self.rules_for(event_type):
                sources += [e.compiled for e in _expressions(c)]
            for c in self._cancellers.get(event_type, ()):
                assert c.cancel_key is not None
                sources.append(c.cancel_key.compiled)
            found = self._reads[event_type] = reads_of(sources)
        return found

    def _compile_all(self, source: str) -> list[RuleProblem]:
        problems: list[RuleProblem] = []
        for order, rule in enumerate(self.rules.rules):
            try:
                self.compiled.append(self._compile(rule, order))
            except ExpressionError as exc:
                problems.append(RuleProblem(source, None, f"rules[{order}] ({rule.id})", str(exc)))
            if rule.classifier and rule.classifier.name not in self.classifiers:
                problems.append(
                    RuleProblem(
                        source,
                        None,
                        f"rules[{order}] ({rule.id}).classifier",
                        f"no classifier named {rule.classifier.name!r}; "
                        f"known: {sorted(self.classifiers)}",
                    )
                )
        for i, window in enumerate(self.rules.maintenance):
            try:
                cond = (
                    Expression.compile(window.id, window.condition, self.rules.params)
                    if window.condition
                    else None
                )
            except ExpressionError as exc:
                problems.append(RuleProblem(source, None, f"maintenance[{i}]", str(exc)))
                continue
            self.windows.append((window, cond))
        return problems

    def _compile(self, rule: Rule, order: int) -> CompiledRule:
        params = self.rules.params

        def opt(src: str | None) -> Expression | None:
            return Expression.compile(rule.id, src, params) if src else None

        compiled = CompiledRule(
            rule=rule,
            version=self.rules.rule_version(rule),
            order=order,
            condition=Expression.compile(rule.id, rule.condition, params),
            labels={k: Expression.compile(rule.id, v, params) for k, v in rule.labels.items()},
            line={k: Expression.compile(rule.id, v, params) for k, v in rule.line.items()},
            dedup_key=opt(rule.dedup_key),
            value_at_risk=opt(rule.value_at_risk),
            store=opt(rule.store),
            customer=opt(rule.customer),
            title=opt(rule.title),
            defer_until=opt(rule.defer_until),
            defer_key=opt(rule.defer_key),
            cancel_key=opt(rule.cancel_on.key if rule.cancel_on else None),
            severity=Severity.parse(rule.severity),
        )
        if compiled.defer_until is None and compiled.defer_key is None:
            parts = [e.compiled if e is not None else None for e in _parts(compiled)]
            native = lower_rule(compiled.condition.compiled, parts)
            compiled = dataclasses.replace(compiled, native=native)
        group = [*compiled.labels.values(), compiled.title, compiled.store, compiled.customer]
        reads = reads_of([e.compiled for e in group if e is not None])
        if set(reads) <= {"data"} and reads.get("data", frozenset()) is not None:
            fields = tuple(sorted(reads.get("data") or ()))
            compiled = dataclasses.replace(compiled, group_fields=fields)
        return compiled

    # -- lookup --------------------------------------------------------------------------------
    def rules_for(self, event_type: str) -> list[CompiledRule]:
        """The rules to test for ``event_type``, in file order (indexed, wildcards merged)."""
        return self._index.get(event_type, self._wildcard)

    def context(self, event: Mapping[str, Any], at: datetime) -> EventContext:
        """The event's context at ``at`` (ValueError when the event is not valid)."""
        return build_context(event, at, constants=self._params, impact=self._policy)

    # -- deciding ------------------------------------------------------------------------------
    def decide(
        self,
        event: Mapping[str, Any],
        at: datetime,
        *,
        validated: bool = False,
        memo: Memo | None = None,
    ) -> Decision:
        """Test ``event`` against its rules at time ``at``; ValueError when it is not valid.

        The context holds only what those rules read (:meth:`reads`); ``validated``: see
        :func:`~hub.routing.context.build_context`. ``memo``, shared by the events of one batch
        decided at one time, keeps what a rule decides from its group's fields alone."""
        event_type = str(event.get("type", ""))
        reads = self._reads.get(event_type)
        ctx = build_context(
            event,
            at,
            constants=self._params,
            impact=self._policy,
            reads=reads if reads is not None else self.reads(event_type),
            validated=validated,
        )
        return self.decide_context(ctx, memo=memo)

    def decide_context(
        self, ctx: EventContext, *, only: str | None = None, memo: Memo | None = None
    ) -> Decision:
        """Decide on a built context; ``only`` tests that one rule (deferred checks falling due);
        ``memo``: see :meth:`decide`."""
        matches: list[Match] = []
        errors: list[str] = []
        event_type = ctx.event_type
        candidates = [self.by_id[only]] if only else self._index.get(event_type, self._wildcard)
        for compiled in candidates:
            try:
                match = self._match(compiled, ctx, deferred_check=only is not None, memo=memo)
            except ExpressionError as exc:
                errors.append(str(exc))
                continue
            if match is None:
                continue
            matches.append(match)
            if not self._plain[compiled.order][4]:  # the rule's continue_
                break
        cancels: list[tuple[str, str]] = []
        for compiled in self._cancellers.get(event_type, ()):
            assert compiled.cancel_key is not None
            try:
                cancels.append((compiled.rule.id, str(compiled.cancel_key.evaluate(ctx))))
            except ExpressionError as exc:
                errors.append(str(exc))
        return Decision(ctx, matches, errors, cancels, len(candidates))

    def _match(
        self, c: CompiledRule, ctx: EventContext, *, deferred_check: bool, memo: Memo | None
    ) -> Match | None:
        rule = c.rule
        deferred_until: datetime | None = None
        defer_key: str | None = None
        if c.defer_until is not None and c.defer_key is not None:
            due = c.defer_until.evaluate(ctx)
            if not isinstance(due, datetime):
                raise ExpressionError(
                    rule.id, c.defer_until.source, "defer_until must be a timestamp"
                )
            defer_key = str(c.defer_key.evaluate(ctx))
            if due > ctx.now and not deferred_check:
                deferred_until = due
        values: tuple[Any, ...] | None = _UNDECIDED
        if c.native is not None:
            try:
                values = c.native(ctx.variables)
            except (Unsupported, KeyError, TypeError, ValueError, ArithmeticError):
                values = _UNDECIDED  # outside what Python mirrors: the expressions one by one
            if values is None:
                return None
        # the line is built in place, its dedup key first (as ``{"dedup_key": …, **line}``)
        if values is not _UNDECIDED:
            assert values is not None
            group = self._group_part(c, ctx, memo, values)
            dedup = _text(values[-2]) if c.dedup_key else ctx.event_id
            line = {"dedup_key": dedup}
            at = len(c.labels) + 3
            for k in c.line:
                v = values[at]
                # _plain's two usual kinds written out: text, and a double (whole: as _text)
                kind = type(v)
                line[k] = (
                    v
                    if kind is str
                    else (str(int(v)) if v.is_integer() else repr(v))
                    if kind is float
                    else _plain(v)
                )
                at += 1
            value = _decimal(values[-1]) if c.value_at_risk else _ZERO
        else:
            if deferred_until is None and not c.condition.test(ctx):
                return None
            group = self._group_part(c, ctx, memo)
            plain = {k: _plain(e.evaluate(ctx)) for k, e in c.line.items()}
            dedup = _text(c.dedup_key.evaluate(ctx)) if c.dedup_key else ctx.event_id
            line = {"dedup_key": dedup, **plain}
            value = _decimal(c.value_at_risk.evaluate(ctx)) if c.value_at_risk else _ZERO
        category, urgency, targets, use, _continue, rule_id = self._plain[c.order]
        group_key = group.group_key if group.group_key is not None else _key(rule_id, dedup)
        store, customer = group.store, group.customer
        impact = self._impact(value, store, customer)
        # by position, in Match's field order: a call of twenty keywords matched each by name
        match = Match(
            c,
            category,
            c.severity,
            impact,
            urgency,
            PRIORITY_MATRIX[(impact, urgency)],
            value,
            group.title,
            dict(group.labels),
            line,
            dedup,
            group_key,
            list(targets),
            None,  # classification
            False,  # review
            None,  # classifier_error
            [],  # windows
            store,
            customer,
            deferred_until,
            defer_key,
        )
        if deferred_until is not None:
            return match
        if use is not None:
            self._classify(match, ctx, use)
        self._windows(match, ctx)
        return match

    def _group_part(
        self,
        c: CompiledRule,
        ctx: EventContext,
        memo: Memo | None,
        values: tuple[Any, ...] | None = None,
    ) -> GroupPart:
        """Labels, title, store, customer and group key of a match of ``c`` on ``ctx``; with a
        memo, once per rule and values of the fields they read. ``values``: what the rule's
        Python form gave, the labels' (``n`` of them), title's, store's and customer's values
        first (None: evaluate them)."""
        key: tuple[Any, ...] | None = None
        if memo is not None and c.group_fields is not None:
            data = ctx.variables.get("data") or {}
            fields = c.group_fields
            if len(fields) == 1 and c.store is None and c.customer is None:
                # the usual rule (one field, store and customer from the data): one tuple
                key = (
                    c.order,
                    data.get(fields[0], _ABSENT),
                    ctx.data.get("location_id"),
                    ctx.facts.get("pickup_store"),
                    ctx.data.get("customer_ref"),
                )
            else:
                key = (c.order, *(data.get(name, _ABSENT) for name in fields))
                if c.store is None:
                    key += (ctx.data.get("location_id"), ctx.facts.get("pickup_store"))
                if c.customer is None:
                    key += (ctx.data.get("customer_ref"),)
            try:
                found = memo.get(key)
            except TypeError:  # a value that is a map or a list: decided for this event alone
                found, key = None, None
            if found is not None:
                return found
        rule = c.rule
        if values is None:
            values = (
                *(e.evaluate(ctx) for e in c.labels.values()),
                *(e.evaluate(ctx) if e else None for e in (c.title, c.store, c.customer)),
            )
        n = len(c.labels)
        labels = {k: _text(v) for k, v in zip(c.labels, values[:n], strict=True)}
        title, store, customer = values[n : n + 3]
        part = GroupPart(
            labels=labels,
            title=_text(title) if c.title else (rule.description or rule.id),
            store=(
                _opt_text(store)
                if c.store
                else _opt_text(ctx.data.get("location_id") or ctx.facts.get("pickup_store"))
            ),
            customer=(
                _opt_text(customer) if c.customer else _opt_text(ctx.data.get("customer_ref"))
            ),
            group_key=(
                _key(rule.id, *(labels[name] for name in rule.group_by)) if rule.group_by else None
            ),
        )
        if key is not None and memo is not None:
            memo[key] = part
        return part

    def regrade(self, match: Match, value_at_risk: Decimal) -> tuple[int, int]:
        """(impact, priority) of ``match``'s task once its lines put ``value_at_risk`` at stake."""
        impact = self._impact(value_at_risk, match.store, match.customer)
        return impact, PRIORITY_MATRIX[(impact, match.urgency)]

    def _classify(self, match: Match, ctx: EventContext, use: ClassifierUse) -> None:
        classifier = self.classifiers[use.name]
        try:
            if type(classifier).classify is _BUILT_IN_CLASSIFY:
                # the built-in scorer hands too little history back instead of raising it
                found = cast(VarianceHistoryScorer, classifier).opinion(ctx)
                if isinstance(found, InsufficientHistory):
                    _no_opinion(match, ctx, use.name, found)
                    return
                verdict = found
            else:
                verdict = classifier.classify(ctx)
        except Exception as exc:  # any classifier failure: the deterministic rule decides
            _no_opinion(match, ctx, use.name, exc)
            return
        match.classification = verdict
        if verdict.confidence < use.threshold:
            match.review = True
            match.targets = [use.review_target]

    def _windows(self, match: Match, ctx: EventContext) -> None:
        """The maintenance windows open for ``match``, added to its own (empty) list."""
        hits = match.windows
        for rules, categories, window, condition in self._window_tests:
            if rules and match.rule.rule.id not in rules:
                continue
            if categories and match.category not in categories:
                continue
            until = window_end(window, ctx.now)
            if until is None:
                continue
            if condition is not None and not condition.test(ctx):
                continue
            hits.append(WindowHit(window.id, window.action, until))


_UNDECIDED: Any = object()
_RulePlain = tuple[str, int, list[str], ClassifierUse | None, bool, str]
"""A rule's category, urgency, targets, classifier, continue and id."""
_BUILT_IN_CLASSIFY = VarianceHistoryScorer.classify


def _no_opinion(match: Match, ctx: EventContext, name: str, exc: Exception) -> None:
    """A classifier failed on ``match``: the deterministic rule decides, the audit says why."""
    match.classifier_error = f"{type(exc).__name__}: {exc}"
    # too little history is the normal state of a pair's first counts (every event of a bulk
    # file of new SKUs): a line each at INFO was a million lines for a million rows
    level = logging.DEBUG if isinstance(exc, InsufficientHistory) else logging.INFO
    if log.isEnabledFor(level):  # what log.log asks first, before its arguments are read
        log.log(level, "classifier %s gave no opinion on %s: %s", name, ctx.event_id, exc)


def _parts(c: CompiledRule) -> list[Expression | None]:
    """What a rule's Python form computes after its condition, in order: labels, title, store,
    customer, line, dedup key, value at risk."""
    labels, line = c.labels.values(), c.line.values()
    return [*labels, c.title, c.store, c.customer, *line, c.dedup_key, c.value_at_risk]


def _expressions(c: CompiledRule) -> list[Expression]:
    """Every expression of a rule (its cancel key aside: that one reads other events)."""
    found = [c.condition, *c.labels.values(), *c.line.values()]
    optional = (c.dedup_key, c.value_at_risk, c.store, c.customer, c.title)
    found += [e for e in (*optional, c.defer_until, c.defer_key) if e is not None]
    return found


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _opt_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value
    if kind is float or isinstance(value, float):  # _text's form of a whole one, written out
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)


_CENT = Decimal("0.01")
_ZERO = Decimal(0)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(_CENT)
    except (InvalidOperation, ValueError):
        return Decimal(0)
