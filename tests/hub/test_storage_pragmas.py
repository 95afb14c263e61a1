"""The hub database's SQLite settings, as every connection to it gets them."""

from __future__ import annotations

from pathlib import Path

from hub.database import connect
from hub.storage import WAL_AUTOCHECKPOINT_PAGES


def test_the_hub_database_copies_its_wal_back_every_ten_thousand_pages_not_every_thousand(
    tmp_path: Path,
) -> None:
    # routing writes ~1,000 pages a transaction: at SQLite's default the WAL was copied back
    # (and fsynced) after nearly every one (hub.storage)
    db = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with db.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                for name in ("wal_autocheckpoint", "journal_mode", "synchronous")
            }
    finally:
        db.dispose()
    assert WAL_AUTOCHECKPOINT_PAGES == 10_000
    assert pragmas == {"wal_autocheckpoint": 10_000, "journal_mode": "wal", "synchronous": 1}
