"""Pages of dead letters and their grouped counts: the one read behind ``crossdock dlq list``,
the API's ``/dead-letters`` and ``/dead-letters/counts``, and the ops page.

Pages are keyset pages, newest first: ``before`` is the id of the last letter of the previous
page, so page 1,000 costs what page 1 costs (no OFFSET). Both reads are SQL text (the filter's
condition from :meth:`DeadLetterFilter.where`) run through a :class:`~hub.sql_reader.SqlReader`:
the API's engine, or the DB-API connection ``crossdock dlq list`` opens, which so starts
without importing SQLAlchemy. Only the summary columns are read: a page never carries
payloads, tracebacks or history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from hub.ops.text_search import FTS_TABLE, ReasonContains
from hub.sql_reader import SqlReader, parse_time, reader_of

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hub.ops.filters import DeadLetterFilter

__all__ = [
    "TALLY_TABLE",
    "CountGroup",
    "LetterPage",
    "count_groups",
    "letter_summary",
    "list_letters",
]

#: the kept counts per status, connector, stage and error class (see :mod:`hub.ops.storage`)
TALLY_TABLE = "dead_letter_tallies"


@dataclass(frozen=True, slots=True)
class LetterPage:
    """One page of letters and the cursor of the next (None on the last page)."""

    letters: list[dict[str, Any]]
    next_cursor: int | None


@dataclass(frozen=True, slots=True)
class CountGroup:
    """How many letters share a connector, stage and error class."""

    connector: str
    stage: str
    error_class: str
    count: int


class _Summary(NamedTuple):
    """The summary columns of a letter, in the order :data:`_SUMMARY` selects them."""

    id: int
    status: str
    connector: str
    source: str
    location: str
    stage: str
    error_class: str
    failure_type: str
    reason: str
    event_type: str | None
    mapping_id: str | None
    mapping_version: int | None
    attempts: int
    first_failed_at: Any
    last_failed_at: Any


_SUMMARY = ", ".join(f"dead_letters.{name}" for name in _Summary._fields)


def letter_summary(row: Any) -> dict[str, Any]:
    """The columns of a letter a table row shows (from a row object or a summary row)."""
    return {
        "id": row.id,
        "status": row.status,
        "connector": row.connector,
        "source": row.source,
        "location": row.location,
        "stage": row.stage,
        "error_class": row.error_class,
        "failure_type": row.failure_type,
        "reason": row.reason,
        "event_type": row.event_type,
        "mapping": f"{row.mapping_id}@{row.mapping_version}" if row.mapping_id else None,
        "attempts": row.attempts,
        "first_failed_at": parse_time(row.first_failed_at).isoformat(),
        "last_failed_at": parse_time(row.last_failed_at).isoformat(),
    }


def list_letters(
    db: SqlReader | Engine, flt: DeadLetterFilter, *, before: int | None = None, limit: int = 50
) -> LetterPage:
    """Letters matching ``flt``, newest first, ``limit`` after the cursor ``before``."""
    reader = reader_of(db)
    params: dict[str, Any] = {"page_limit": limit}
    if flt.text and reader.dialect == "sqlite" and not ReasonContains(flt.text).plain:
        # the trigram index drives, newest first, and stops at the page: a word in every
        # reason costs a page, a word in one reason costs an index lookup
        where, more = flt.model_copy(update={"text": None}).where(reader.dialect)
        params.update(more, page_text=ReasonContains(flt.text).pattern)
        key = f"{FTS_TABLE}.rowid"
        sql = (
            f"SELECT {_SUMMARY} FROM {FTS_TABLE} "
            f"JOIN dead_letters ON dead_letters.id = {key} "
            f"WHERE {where} AND {FTS_TABLE}.reason LIKE :page_text"
        )
    else:
        where, more = flt.where(reader.dialect)
        params.update(more)
        key = "dead_letters.id"
        sql = f"SELECT {_SUMMARY} FROM dead_letters WHERE {where}"
    if before is not None:
        sql += f" AND {key} < :page_before"
        params["page_before"] = before
    sql += f" ORDER BY {key} DESC LIMIT :page_limit"
    letters = [letter_summary(_Summary(*row)) for row in reader.rows(sql, params)]
    cursor = letters[-1]["id"] if len(letters) == limit else None
    return LetterPage(letters, cursor)


def count_groups(db: SqlReader | Engine, flt: DeadLetterFilter) -> list[CountGroup]:
    """Counts grouped by connector × stage × error class, largest first.

    A filter on status, connector, stage and error class only reads the kept tallies;
    any other filter counts the matching rows.
    """
    reader = reader_of(db)
    if flt.only_grouping_columns:
        clauses, params = [], {}
        for column in ("connector", "stage", "error_class"):
            value = getattr(flt, column)
            if value:
                clauses.append(f"{column} = :{column}")
                params[column] = value
        if flt.status != "all":
            clauses.append("status = :status")
            params["status"] = flt.status
        sql = (
            f"SELECT connector, stage, error_class, sum(n) FROM {TALLY_TABLE} "
            + (f"WHERE {' AND '.join(clauses)} " if clauses else "")
            + "GROUP BY connector, stage, error_class HAVING sum(n) > 0"
        )
    else:
        where, params = flt.where(reader.dialect)
        group = "dead_letters.connector, dead_letters.stage, dead_letters.error_class"
        sql = f"SELECT {group}, count(*) FROM dead_letters WHERE {where} GROUP BY {group}"
    groups = [CountGroup(c, s, e, int(n)) for c, s, e, n in reader.rows(sql, params)]
    return sorted(groups, key=lambda g: (-g.count, g.connector, g.stage, g.error_class))
