"""Text in the reason, found by an index: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL.

A substring search (``LIKE '%…%'``) cannot use a B-tree index, so a rare word among a million
letters means a full scan. SQLite's FTS5 ``trigram`` tokenizer and PostgreSQL's ``pg_trgm``
answer the same ``LIKE`` from a trigram index. :class:`ReasonContains` writes the right SQL
per database; needles shorter than three characters (no trigram) or with LIKE wildcards
fall back to the plain ``LIKE`` (its wildcards escaped). The FTS5 table, its triggers and the
``pg_trgm`` index are made by the migrations (``r0005``); without the extension's privilege a
PostgreSQL database has no trigram index, and searches stay correct, only slower.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["FTS_TABLE", "ReasonContains"]

FTS_TABLE = "dead_letter_reasons"


@dataclass(frozen=True, slots=True)
class ReasonContains:
    """``reason`` contains ``needle`` (case-sensitive on PostgreSQL, as LIKE is)."""

    needle: str

    @property
    def plain(self) -> bool:
        """True when no trigram index can serve the needle."""
        return len(self.needle) < 3 or any(c in self.needle for c in "%_\\")

    @property
    def pattern(self) -> str:
        """The LIKE pattern of the trigram search (the needle has no wildcard to escape)."""
        return f"%{self.needle}%"

    def where(self, dialect: str, param: str) -> tuple[str, dict[str, Any]]:
        """The condition on ``dead_letters`` as SQL text, its parameter named ``param``."""
        if dialect == "sqlite" and not self.plain:
            return (
                f"dead_letters.id IN (SELECT rowid FROM {FTS_TABLE} WHERE reason LIKE :{param})",
                {param: self.pattern},
            )
        escaped = self.needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
        return f"dead_letters.reason LIKE :{param} ESCAPE '/'", {param: f"%{escaped}%"}
