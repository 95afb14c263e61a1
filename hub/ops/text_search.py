"""Text in the reason, found by an index: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL.

A substring search (``LIKE '%…%'``) cannot use a B-tree index, so a rare word among a million
letters means a full scan. SQLite's FTS5 ``trigram`` tokenizer and PostgreSQL's ``pg_trgm``
answer the same ``LIKE`` from a trigram index. :class:`ReasonContains` compiles to the right
form per database; needles shorter than three characters (no trigram) or with LIKE wildcards
fall back to the plain ``LIKE``. The FTS5 table, its triggers and the ``pg_trgm`` index are
made by the migrations (``r0005``); without the extension's privilege a PostgreSQL database has
no trigram index, and searches stay correct, only slower.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from hub.deadletter.table import DEAD_LETTERS

__all__ = ["FTS_TABLE", "ReasonContains"]

FTS_TABLE = "dead_letter_reasons"


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
        compiler.process(DEAD_LETTERS.c.reason.contains(element.needle, autoescape=True), **kw)
    )


@compiles(ReasonContains, "sqlite")
def _fts_like(element: ReasonContains, compiler: SQLCompiler, **kw: Any) -> str:
    if element.plain:
        return _plain_like(element, compiler, **kw)
    needle = compiler.process(bindparam(None, f"%{element.needle}%", unique=True), **kw)
    return f"dead_letters.id IN (SELECT rowid FROM {FTS_TABLE} WHERE reason LIKE {needle})"
