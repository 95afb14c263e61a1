"""What ``crossdock routing test`` prints: a decision explained, without changing anything.

Like ``amtool config routes test``, plus a time (``--at``: maintenance windows and deferred
checks depend on it) and the suppression a match would meet: maintenance windows always, and
inhibitions either as what *could* hold it back or, given the database, what *does* now.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine

from hub.routing.engine import RoutingEngine
from hub.routing.inhibition import inhibitor_of

__all__ = ["explain"]


def explain(
    engine: RoutingEngine, event: Mapping[str, Any], at: datetime, *, db: Engine | None = None
) -> dict[str, Any]:
    """The decision on ``event`` at ``at`` as a JSON-ready dict (ValueError if invalid)."""
    decision = engine.decide(event, at)
    matches = []
    for match in decision.matches:
        summary = match.summary()
        suppression: list[str] = [
            f"maintenance window {w.window} ({w.action}) until {w.until.isoformat()}"
            for w in match.windows
        ]
        for inhibition in engine.rules.inhibit:
            if match.rule.rule.id not in inhibition.target_rules:
                continue
            if db is None:
                equal = ", ".join(f"{k}={match.labels.get(k, '')}" for k in inhibition.equal)
                suppression.append(
                    f"would be held back by inhibition {inhibition.id} while a task of "
                    f"{', '.join(inhibition.source_rules)} with {equal or 'any labels'} is open"
                )
                continue
            probe = SimpleNamespace(id=-1, rule_id=match.rule.rule.id, labels=match.labels)
            with db.connect() as conn:
                hit = inhibitor_of(conn, [inhibition], probe)
            if hit is not None:
                suppression.append(f"held back now by inhibition {inhibition.id} (task {hit[1]})")
        summary["suppression"] = suppression
        matches.append(summary)
    return {
        "event_id": decision.context.event_id,
        "event_type": decision.context.event_type,
        "at": at.isoformat(),
        "input_digest": decision.context.digest,
        "rules_tested": decision.tested,
        "matches": matches,
        "errors": decision.errors,
        "cancels": [f"{rule}:{key}" for rule, key in decision.cancels],
    }
