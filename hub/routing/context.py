"""The CEL context of one event, built once and shared by every rule that looks at it.

Variables the expressions see:

* ``event`` — the CloudEvents attributes (``id``, ``type``, ``source``, ``subject``, ``time``…);
* ``data`` — the payload; canonical types are validated with their pydantic model first, so
  amounts are numbers and times are timestamps (other types, e.g. dead-letter events, as sent);
* ``facts`` — derived figures (:mod:`hub.routing.facts`), e.g. ``facts.variance_pct``;
* ``now`` — the routing time (a timestamp; ``crossdock routing test --at`` sets it);
* ``params`` — the rules file's ``params``;
* ``store_tier`` / ``customer_tier`` — tiers from the impact policy (1 flagship … 3).

Decimals become doubles *in this view only*: CEL has no decimal type, and comparing against a
threshold is all a condition does; money on tasks stays Decimal.

Handing a value to CEL costs a few microseconds a field (the whole context of a stock count was
~140 µs, most of routing one), so the engine builds only what its rules for the event's type
read (:func:`reads_of`): the variables they name, and of ``data``, ``facts``, ``event`` and
``params`` only the fields they name when they name fields only. The Python views (``data``,
``facts``) are always whole, and the input digest is computed when the audit asks for it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

from canonical import Envelope, EventData, parse_envelope
from canonical.event_versions import default_registry
from hub.routing.cel_library import cel
from hub.routing.facts import facts_for
from hub.routing.priority import ImpactPolicy
from hub.routing.trusted import attributes_of, data_of

__all__ = [
    "VARIABLES",
    "EventContext",
    "Reads",
    "build_context",
    "input_digest",
    "reads_of",
    "to_cel",
]

VARIABLES = ("event", "data", "facts", "now", "params", "store_tier", "customer_tier")
"""The variables an expression can read."""

Reads = dict[str, frozenset[str] | None]
"""Variable → the top-level fields read of it (None: the whole value); absent: not read."""

_READ = re.compile(
    r"(?<![\w.])(" + "|".join(VARIABLES) + r")\b(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?"
)


def reads_of(sources: Iterable[str]) -> Reads:
    """What expressions with these ``sources`` read of the context (a safe over-estimate:
    a name inside a string literal counts too; ``data[x]`` or a bare ``data`` reads it all)."""
    found: dict[str, set[str] | None] = {}
    for source in sources:
        for match in _READ.finditer(source):
            name, member = match.group(1), match.group(2)
            known = found.setdefault(name, set())
            if member is None or name in ("now", "store_tier", "customer_tier"):
                found[name] = None
            elif known is not None:
                known.add(member)
    return {k: frozenset(v) if v is not None else None for k, v in found.items()}


def _only(value: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
    if fields is None:
        return value
    return {k: value[k] for k in fields if k in value}


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _cel_view(value: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
    """``to_cel(_only(value, fields))`` in one pass (a plain value is taken as it is)."""
    if fields is None:
        return {str(k): to_cel(v) for k, v in value.items()}
    found = _VIEWS.get(id(fields))
    if found is None or found[0] is not fields:
        found = _VIEWS[id(fields)] = (fields, _view_of(fields))
    return found[1](value)


_View = Callable[[dict[str, Any]], dict[str, Any]]
_VIEWS: dict[int, tuple[frozenset[str], _View]] = {}
"""A ``fields`` set (kept, so its id is not reused) → its view, by identity: the view takes
the fields in that set's own order, as iterating it gave them (an equal set may order them
otherwise). The engine keeps one set a variable and event type (:meth:`RoutingEngine.reads`)."""


def _view_of(fields: frozenset[str]) -> _View:
    """The view of ``fields`` written out, one test a field: a comprehension over them cost
    a generator and a tuple a field of every event."""
    lines = ["def view(value):\n    out = {}\n"]
    for name in fields:
        key = repr(name)
        lines.append(
            f"    if {key} in value:\n"
            f"        v = value[{key}]\n"
            "        t = type(v)\n"
            f"        out[{key}] = v if t in _PLAIN else float(v) if t is Decimal else to_cel(v)\n"
        )
    lines.append("    return out\n")
    namespace: dict[str, Any] = {"_PLAIN": _PLAIN, "Decimal": Decimal, "to_cel": to_cel}
    # the source is built from the rules' field names (identifiers, written with repr) only
    exec("".join(lines), namespace)
    view: _View = namespace["view"]
    return view


def to_cel(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    """``value`` with Decimal → float, date → ISO text, enums → their value, tuples → lists."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return {str(k): to_cel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_cel(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def input_digest(event: Mapping[str, Any]) -> str:
    """SHA-256 of the event's canonical JSON: the audit's proof of what was decided on."""
    # orjson: ~5x the standard library here, and the digest is paid on every event
    return hashlib.sha256(orjson.dumps(event, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


@dataclass(slots=True)
class EventContext:
    """One event ready for the rules: its CEL context plus the Python views the engine needs."""

    event: dict[str, Any]
    """The event as received (JSON types)."""
    data: dict[str, Any]
    """The payload as Python values (Decimal, datetime) after validation."""
    facts: dict[str, Any]
    variables: dict[str, Any]
    """What the expressions read, as handed to CEL (Decimal as float…)."""
    now: datetime
    _digest: str | None = field(default=None, repr=False)
    _cel: cel.Context | None = field(default=None, repr=False)

    @property
    def cel(self) -> cel.Context:
        """The CEL context of :attr:`variables`, built on first use: an expression in the
        Python subset (:mod:`hub.routing.native`) reads :attr:`variables` directly, and handing
        values to CEL costs a few µs each."""
        if self._cel is None:
            self._cel = cel.Context(self.variables)
        return self._cel

    @property
    def digest(self) -> str:
        """SHA-256 of the event (:func:`input_digest`), computed on first use."""
        if self._digest is None:
            self._digest = input_digest(self.event)
        return self._digest

    @property
    def event_type(self) -> str:
        """``type`` attribute of the event."""
        return str(self.event.get("type", ""))

    @property
    def event_id(self) -> str:
        """``id`` attribute of the event."""
        return str(self.event.get("id", ""))


def _attributes(event: dict[str, Any], envelope: Envelope[EventData] | None) -> dict[str, Any]:
    """The CloudEvents attributes as Python values (ValueError: a time not in ISO 8601)."""
    if envelope is not None:
        return envelope.model_dump(mode="python", exclude={"data"})
    attributes = {k: v for k, v in event.items() if k != "data"}
    if isinstance(attributes.get("time"), str):
        try:
            attributes["time"] = datetime.fromisoformat(attributes["time"])
        except ValueError as exc:
            raise ValueError(f"event time {attributes['time']!r} is not ISO 8601") from exc
    return attributes


def build_context(
    event: Mapping[str, Any],
    now: datetime,
    *,
    constants: Mapping[str, Any],
    impact: ImpactPolicy,
    reads: Reads | None = None,
    validated: bool = False,
) -> EventContext:
    """Validate a canonical event and build its context (only what ``reads`` names, if given).

    With ``validated`` the caller vouches that ``event`` is the JSON of a canonical envelope it
    validated itself (the hub's own pipeline): it is read by its model's field types
    (:mod:`hub.routing.trusted`), not validated again. Raises ValueError (pydantic's
    ValidationError is one) when the event is not valid, or not readable as vouched.
    """
    event = dict(event)
    event_type = str(event.get("type", ""))
    want: Reads = reads if reads is not None else dict.fromkeys(VARIABLES)
    envelope = None
    trusted = False
    canonical = default_registry.knows(event_type)
    if canonical and validated:
        try:
            data: dict[str, Any] = data_of(event_type, event["dataversion"], event["data"])
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise ValueError(f"not the JSON of a valid {event_type} event: {exc!r}") from exc
        trusted = True
    elif canonical:
        envelope = parse_envelope(event)
        data = envelope.data.model_dump(mode="python")
    else:
        raw = event.get("data")
        data = dict(raw) if isinstance(raw, Mapping) else {"value": raw}
        _attributes(event, None)  # a time that is not ISO 8601 is refused, read or not
    facts = facts_for(event_type, data, now)
    variables: dict[str, Any] = {}
    if "event" in want:
        attributes = attributes_of(event) if trusted else _attributes(event, envelope)
        variables["event"] = _cel_view(attributes, want["event"])
    if "data" in want:
        variables["data"] = _cel_view(data, want["data"])
    if "facts" in want:
        variables["facts"] = _cel_view(facts, want["facts"])
    if "now" in want:
        variables["now"] = now
    if "params" in want:
        fields = want["params"]
        variables["params"] = (
            dict(constants)
            if fields is None
            else {k: constants[k] for k in fields if k in constants}
        )
    if "store_tier" in want:
        store = data.get("location_id") or facts.get("pickup_store")
        variables["store_tier"] = impact.store_tier(store if isinstance(store, str) else None)
    if "customer_tier" in want:
        customer = data.get("customer_ref")
        variables["customer_tier"] = impact.customer_tier(
            customer if isinstance(customer, str) else None
        )
    return EventContext(event, data, facts, variables, now)
