"""What the ops console adds to the dead-letter table: indexes and kept tallies.

The migrations make them (``hub/migrations/versions/r0005_hub_tables.py``), on SQLite and
PostgreSQL alike. Indexes serve keyset pages (newest first) under the console's filters. Counts
grouped by connector × stage × error class come from ``dead_letter_tallies``
(:data:`hub.ops.listing.TALLY_TABLE`, read as SQL text without SQLAlchemy), a table that
triggers keep in step with every insert, status change and delete, in the writer's own
transaction: a grouped count over a million letters then reads a few dozen rows instead of
scanning the table.

``dead_letter_hourly`` is kept the same way: new letters per hour of their first failure (UTC,
``YYYY-MM-DD HH``) and connector, for the page's week chart (:mod:`hub.ops.arrivals`), which
then reads at most 168 × connectors rows where counting a week of letters took ~0.7 s with a
million stored. It holds one row per connector and hour that had letters (a year of ten
connectors failing every hour is 87,600 rows), so it is not pruned.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from hub.storage import METADATA

__all__ = ["HOURLY"]

HOURLY = Table(
    "dead_letter_hourly",
    METADATA,
    Column("hour", String(13), primary_key=True, comment="UTC, YYYY-MM-DD HH"),
    Column("connector", String(128), primary_key=True),
    Column("n", BigInteger, nullable=False),
)
"""New dead letters per hour of first failure and connector, kept by triggers."""
