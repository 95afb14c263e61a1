"""The schema objects the migrations make that no model declares, kept out of autogenerate.

The ops console's indexes, tallies and triggers on ``dead_letters`` and the trigram search of
reasons are SQL the models cannot express (triggers, an FTS5 virtual table and its shadow
tables, a GIN index); the migrations own them, and autogenerate's compare must neither drop
them nor call them drift.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Literal

__all__ = ["UNMODELLED_INDEXES", "UNMODELLED_TABLES", "include_name"]

#: tables made by the migrations without a model: the tallies, the FTS5 table and its shadows
UNMODELLED_TABLES = frozenset(
    {
        "dead_letter_tallies",
        "dead_letter_reasons",
        "dead_letter_reasons_data",
        "dead_letter_reasons_idx",
        "dead_letter_reasons_content",
        "dead_letter_reasons_docsize",
        "dead_letter_reasons_config",
    }
)

#: the ops console's indexes on dead_letters (keyset pages under its filters), the trigram one,
#: and the partial unique index allowing one active redrive task per filter
UNMODELLED_INDEXES = frozenset(
    {
        "ix_dl_ops_status_id",
        "ix_dl_ops_status_connector_stage_id",
        "ix_dl_ops_status_error_class_id",
        "ix_dl_ops_status_event_type_id",
        "ix_dl_ops_status_connector_stage_first",
        "ix_dl_ops_status_last_failed",
        "ix_dl_ops_reason_trgm",
        "ux_redrive_tasks_active",
    }
)


_Kind = Literal[
    "schema",
    "table",
    "column",
    "index",
    "unique_constraint",
    "foreign_key_constraint",
    "check_constraint",
]
_Parents = MutableMapping[
    Literal["schema_name", "table_name", "schema_qualified_table_name"], str | None
]


def include_name(name: str | None, type_: _Kind, _parents: _Parents) -> bool:
    """Alembic's ``include_name`` hook: leave the unmodelled objects and Alembic's own out."""
    if type_ == "table":
        return name not in UNMODELLED_TABLES
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return True
