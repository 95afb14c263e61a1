"""Which dead letters an operator means: one filter shared by the API, the CLI and redrives."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select

from connectors.sdk.deadletter import DeadLetterStatus
from hub.deadletter.table import DEAD_LETTERS
from hub.ops.text_search import ReasonContains

__all__ = ["DeadLetterFilter"]

_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


class DeadLetterFilter(BaseModel):
    """Dead letters by status, origin, failure, event type, time (last failure) and reason text.

    Empty fields do not filter. ``status`` defaults to open letters; ``all`` lifts it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str = Field(DeadLetterStatus.OPEN.value, pattern="^(open|replayed|discarded|all)$")
    connector: str | None = None
    stage: str | None = None
    error_class: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = Field(None, max_length=200, description="text in the reason")
    ids: tuple[int, ...] | None = Field(None, max_length=10_000)

    def apply(self, stmt: _S) -> _S:
        """``stmt`` narrowed to the letters this filter means."""
        row = DEAD_LETTERS.c
        if self.status != "all":
            stmt = stmt.where(row.status == self.status)
        if self.connector:
            stmt = stmt.where(row.connector == self.connector)
        if self.stage:
            stmt = stmt.where(row.stage == self.stage)
        if self.error_class:
            stmt = stmt.where(row.error_class == self.error_class)
        if self.event_type:
            stmt = stmt.where(row.event_type == self.event_type)
        if self.since is not None:
            stmt = stmt.where(row.last_failed_at >= self.since)
        if self.until is not None:
            stmt = stmt.where(row.last_failed_at < self.until)
        if self.text:
            stmt = stmt.where(ReasonContains(self.text))
        if self.ids is not None:
            stmt = stmt.where(row.id.in_(self.ids))
        return stmt

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
