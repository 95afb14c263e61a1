"""Which dead letters an operator means: one filter shared by the API, the CLI and redrives."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from hub.ops.text_search import ReasonContains
from hub.sql_reader import time_param

if TYPE_CHECKING:
    from sqlalchemy import Select

__all__ = ["DeadLetterFilter"]

_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")
#: the filter's columns compared for equality, in the order they are written
_EQUAL = ("status", "connector", "stage", "error_class", "event_type")


class DeadLetterFilter(BaseModel):
    """Dead letters by status, origin, failure, event type, time (last failure) and reason text.

    Empty fields do not filter. ``status`` defaults to open letters; ``all`` lifts it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # DeadLetterStatus's values, written out as the pattern writes them: `crossdock dlq list`
    # builds a filter without the SDK's dead-letter model (24 M instructions to import);
    # tests/ops/test_listing_readers.py checks they agree
    status: str = Field("open", pattern="^(open|replayed|discarded|all)$")
    connector: str | None = None
    stage: str | None = None
    error_class: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = Field(None, max_length=200, description="text in the reason")
    ids: tuple[int, ...] | None = Field(None, max_length=10_000)

    def where(self, dialect: str) -> tuple[str, dict[str, Any]]:
        """The condition on ``dead_letters`` this filter means, as SQL text for ``dialect``
        (``sqlite``, ``postgresql``) with its named parameters (``:flt_…``).

        The one place a filter becomes SQL: pages and counts run it as text
        (:mod:`hub.ops.listing`), redrives, discards and exports through :meth:`apply`.
        """
        clauses: list[str] = []
        params: dict[str, Any] = {}
        for name in _EQUAL:
            value = getattr(self, name)
            if value and not (name == "status" and value == "all"):
                clauses.append(f"dead_letters.{name} = :flt_{name}")
                params[f"flt_{name}"] = value
        if self.since is not None:
            clauses.append("dead_letters.last_failed_at >= :flt_since")
            params["flt_since"] = time_param(self.since, dialect)
        if self.until is not None:
            clauses.append("dead_letters.last_failed_at < :flt_until")
            params["flt_until"] = time_param(self.until, dialect)
        if self.text:
            sql, more = ReasonContains(self.text).where(dialect, "flt_text")
            clauses.append(sql)
            params.update(more)
        if self.ids is not None:
            names = [f"flt_id_{i}" for i in range(len(self.ids))]
            clauses.append(
                f"dead_letters.id IN ({', '.join(':' + n for n in names)})" if names else "1 = 0"
            )
            params.update(zip(names, self.ids, strict=True))
        return " AND ".join(clauses) or "1 = 1", params

    def apply(self, stmt: _S, dialect: str) -> _S:
        """``stmt`` (on ``dead_letters``) narrowed to the letters this filter means."""
        # imported here: the filter is built, and its SQL text run, without SQLAlchemy by
        # `crossdock dlq list`; a caller with a statement has imported it already
        from sqlalchemy import text

        sql, params = self.where(dialect)
        return stmt.where(text(sql).bindparams(**params))

    @property
    def only_grouping_columns(self) -> bool:
        """True when the filter uses only status, connector, stage and error class.

        Counts for such a filter come from the kept tallies instead of a scan.
        """
        return (
            self.event_type is None
            and self.since is None
            and self.until is None
            and not self.text
            and self.ids is None
        )

    def key(self) -> str:
        """A stable digest of the filter: one redrive task per key runs at a time."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def describe(self) -> dict[str, Any]:
        """The fields that filter, for the audit trail."""
        return {k: v for k, v in self.model_dump(mode="json").items() if v not in (None, "")}
