"""A stock count whose header spells the columns in another case, with blanks around them.

Spreadsheet exports write ``STORE_ID`` or `` Sku `` for the columns the stock-count spec reads
as ``store_id`` and ``sku``; the file is the same stock count and must give the same events,
optional columns (GTIN, system quantity, counter) included, not lose them silently.
"""

from __future__ import annotations

import json
from pathlib import Path

from hub.config import Settings
from hub.translate import TranslationError, translate_file

# written here: the two rows of a store count, header as a spreadsheet export writes it
HEADER_IN_OTHER_CASE = (
    b"STORE_ID, Sku ,GTIN,Counted_Qty,System_Qty,Counted_At,Counter\r\n"
    b"0142,SKU-1,4006381333931,12,10,2026-11-20T06:05:00Z,m.lopez\r\n"
    b"0142,SKU-2,,7,9,2026-11-20T07:06:10+01:00,\r\n"
)


def test_header_names_match_the_spec_columns_in_any_case_and_with_blanks(tmp_path: Path) -> None:
    path = tmp_path / "count.csv"
    path.write_bytes(HEADER_IN_OTHER_CASE)
    lines = list(translate_file(path, Settings(), connector="stock-count"))
    assert not [line for line in lines if isinstance(line, TranslationError)]
    data = [
        {k: v for k, v in json.loads(line)["data"].items() if v not in (None, [])} for line in lines
    ]
    assert data == [
        {
            "location_id": "0142",
            "sku": "SKU-1",
            "gtin": "4006381333931",
            "counted_quantity": {"value": "12", "unit": "C62"},
            "expected_on_hand": {"value": "10", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-20T06:05:00Z",
            "counted_by": "m.lopez",
        },
        {
            "location_id": "0142",
            "sku": "SKU-2",
            "counted_quantity": {"value": "7", "unit": "C62"},
            "expected_on_hand": {"value": "9", "unit": "C62"},
            "reason": "cycle_count",
            "occurred_at": "2026-11-20T06:06:10Z",
        },
    ]
