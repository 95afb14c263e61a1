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
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import cel
import orjson

from canonical import parse_envelope
from canonical.registry import default_registry
from hub.routing.facts import facts_for
from hub.routing.priority import ImpactPolicy

__all__ = ["EventContext", "build_context", "input_digest", "to_cel"]


def to_cel(value: Any) -> Any:
    """``value`` with Decimal → float, date → ISO text, enums → their value, tuples → lists."""
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
    cel: cel.Context
    now: datetime
    digest: str

    @property
    def event_type(self) -> str:
        """``type`` attribute of the event."""
        return str(self.event.get("type", ""))

    @property
    def event_id(self) -> str:
        """``id`` attribute of the event."""
        return str(self.event.get("id", ""))


def build_context(
    event: Mapping[str, Any],
    now: datetime,
    *,
    constants: Mapping[str, Any],
    impact: ImpactPolicy,
) -> EventContext:
    """Validate a canonical event and build its context.

    Raises ValueError (pydantic's ValidationError is one) when the event is not valid.
    """
    event = dict(event)
    event_type = str(event.get("type", ""))
    if event_type in default_registry.event_types():
        envelope = parse_envelope(event)
        data: dict[str, Any] = envelope.data.model_dump(mode="python")
        attributes = envelope.model_dump(mode="python", exclude={"data"})
    else:
        raw = event.get("data")
        data = dict(raw) if isinstance(raw, Mapping) else {"value": raw}
        attributes = {k: v for k, v in event.items() if k != "data"}
        if isinstance(attributes.get("time"), str):
            try:
                attributes["time"] = datetime.fromisoformat(attributes["time"])
            except ValueError as exc:
                raise ValueError(f"event time {attributes['time']!r} is not ISO 8601") from exc
    facts = facts_for(event_type, data, now)
    store = data.get("location_id") or facts.get("pickup_store")
    customer = data.get("customer_ref")
    context = cel.Context(
        {
            "event": to_cel(attributes),
            "data": to_cel(data),
            "facts": to_cel(facts),
            "now": now,
            "params": dict(constants),
            "store_tier": impact.store_tier(store if isinstance(store, str) else None),
            "customer_tier": impact.customer_tier(customer if isinstance(customer, str) else None),
        }
    )
    return EventContext(event, data, facts, context, now, input_digest(event))
