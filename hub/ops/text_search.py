"""Text in the reason, found by an index: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL.

A substring search (``LIKE '%…%'``) cannot use a B-tree index, so a rare word among a million
letters means a full scan. SQLite's FTS5 ``trigram`` tokenizer and PostgreSQL's ``pg_trgm``
answer the same ``LIKE`` from a trigram index. :class:`ReasonContains` compiles to the right
form per database; needles shorter than three characters (no trigram) or with LIKE wildcards
fall back to the plain ``LIKE``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Boolean, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from hub.deadletter.model import DeadLetterRow

__all__ = ["FTS_TABLE", "ReasonContains", "install_text_search"]

log = logging.getLogger(__name__)

FTS_TABLE = "dead_letter_reasons"

_SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "reason, content='dead_letters', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_reason_insert AFTER INSERT ON dead_letters "
    f"BEGIN INSERT INTO {FTS_TABLE}(rowid, reason) VALUES (NEW.id, NEW.reason); END",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_reason_delete AFTER DELETE ON dead_letters "
    f"BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, reason) "
    "VALUES ('delete', OLD.id, OLD.reason); END",
    "CREATE TRIGGER IF NOT EXISTS dead_letters_reason_update AFTER UPDATE OF reason "
    f"ON dead_letters BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, reason) "
    f"VALUES ('delete', OLD.id, OLD.reason); INSERT INTO {FTS_TABLE}(rowid, reason) "
    "VALUES (NEW.id, NEW.reason); END",
]


def install_text_search(conn: Connection) -> None:
    """Create the trigram index of reasons (idempotent); filled from existing letters once."""
    if conn.dialect.name == "sqlite":
        existed = conn.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}
        ).scalar_one()
        for stmt in _SQLITE:
            conn.execute(text(stmt))
        if not existed:
            conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
        return
    if conn.dialect.name == "postgresql":
        # the extension needs a privileged role; without it searches stay correct, only slower
        try:
            with conn.begin_nested():
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                conn.execute(
                    text(
                        "CREATE INDEX IF NOT EXISTS ix_dl_ops_reason_trgm ON dead_letters "
                        "USING gin (reason gin_trgm_ops)"
                    )
                )
        except DBAPIError as exc:
            log.warning("dead letters: no trigram index on reasons (%s); text search scans", exc)


class ReasonContains(ColumnElement[bool]):
    """``reason`` contains ``needle`` (case-sensitive on PostgreSQL, as LIKE is)."""

    type = Boolean()
    # the needle is bound at compile time, so a compiled form must not be reused for another
    inherit_cache = False

    def __init__(self, needle: str) -> None:
        self.needle = needle

    @property
    def plain(self) -> bool:
        """True when no trigram index can serve the needle."""
        return len(self.needle) < 3 or any(c in self.needle for c in "%_\\")


@compiles(ReasonContains)
def _plain_like(element: ReasonContains, compiler: SQLCompiler, **kw: Any) -> str:
    return str(
        compiler.process(DeadLetterRow.reason.contains(element.needle, autoescape=True), **kw)
    )


@compiles(ReasonContains, "sqlite")
def _fts_like(element: ReasonContains, compiler: SQLCompiler, **kw: Any) -> str:
    if element.plain:
        return _plain_like(element, compiler, **kw)
    needle = compiler.process(bindparam(None, f"%{element.needle}%", unique=True), **kw)
    return f"dead_letters.id IN (SELECT rowid FROM {FTS_TABLE} WHERE reason LIKE {needle})"
