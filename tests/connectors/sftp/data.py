"""Stock-count CSV files for the SFTP source tests (the built-in csv.stock-count mapping)."""

from __future__ import annotations

__all__ = ["HEADER", "MALFORMED_ROW", "rows"]

HEADER = b"store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"

#: a row with two columns missing: a RecordError naming its line
MALFORMED_ROW = b"0142,SKU-BAD,,3,3\n"


def rows(n: int, *, start: int = 0) -> bytes:
    """``n`` valid rows, distinct SKUs."""
    return b"".join(
        f"0142,SKU-{i:07d},,{i % 50},{i % 50},2026-11-20T06:05:00Z,m.lopez\n".encode()
        for i in range(start, start + n)
    )
