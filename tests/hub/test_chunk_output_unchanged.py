"""A chunk's output, byte for byte, is what it was before the per-row path was made cheaper.

``translate_chunk`` is tuned for instructions a row (issue 19: benchmarks/bench_chunk_instructions
.py). Each cut must leave every output byte as it was: the batch bodies (event ids, envelope and
data JSON), the dead-letter rows and what the checkpoint counts. The digests below were taken
at main 45509cb, before those cuts, from the bulk benchmark's own file and from CSV inputs that
take every reading path (quote-free and quoted chunks, CRLF, blank and short rows, non-ASCII
text, bytes that do not decode, rows that fail mapping and validation, traced chunks).

A dead letter's traceback names source lines, which any edit moves: it is compared by its last
line (the error), and the times a letter is stored at are the run's, so they are left out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_bulk import HEADER, write_file
from connectors.formats.csv import CsvFormat, CsvPosition, split_rows
from hub.chunks import ChunkJob, ChunkResult, translate_chunk
from hub.config import Settings, csv_format_for
from mappings import SPECS_DIR, SpecRegistry

GOLDEN_INPUTS = SPECS_DIR / "csv" / "retail.inventory.adjusted@1.golden"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

#: the edge cases, each a row after the stock-count header (see the module docstring)
EDGE_ROWS = [
    b"1000,SKU-1,4006381333931,5,7,2026-11-20T06:05:00Z,ann\n",
    b"  1001 , SKU-2 ,,0.50,,2026-11-20T07:06:10+01:00,\n",
    b"1002,SKU-3,036000291452,1E2,3,2026-11-20T06:05:00.123456Z,bo\n",
    b"\n",
    b"1003,SKU-4,4006381333932,5,5,2026-11-20T06:05:00Z,checkdigit\n",
    b"1004,SKU-5,,twelve,14,2026-11-20T06:10:11Z,notanumber\n",
    b"1005,SKU-6,,-1,2,2026-11-20T06:10:11Z,negative\n",
    b"1006,,,1,2,2026-11-20T06:10:11Z,nosku\n",
    b"1007,SKU-8,,1,2,20261120061011,compact\n",
    b"1008,SKU-9,,1,2,2026-11-20,dateonly\n",
    b"1009,SKU-10,96385074,1,2\n",
    "1010,SKU-11,,3,3,2026-11-20T06:05:00Z,J\u00fcrgen \u2014 \u65e5\u672c\n".encode(),
    b"1011,SKU-12,,NaN,3,2026-11-20T06:05:00Z,nan\n",
    b"1012,SKU-13,,1_000,3,2026-11-20T06:05:00Z,underscore\n",
    b"1013,SKU-14,,4,x,2026-11-20T06:05:00Z,badsystem\n",
    b"1014,SKU-15,,4,4,not a time,badtime\n",
    b"1015,SKU-16,,4,4,2026-11-20T06:05:00,naive\n",
    b"1016," + b"S" * 70 + b",,4,4,2026-11-20T06:05:00Z,longsku\n",
]
#: rows that send a chunk down the general (csv module) path
QUOTED_ROWS = [
    b'1020,"SKU-20",,1,1,2026-11-20T06:05:00Z,"ann, the night shift"\n',
    b'1021,SKU-21,,2,2,2026-11-20T06:05:00Z,"two\nlines"\n',
    b"1022,SKU-22,,3,3,2026-11-20T06:05:00Z,crlf\r\n",
    b'1023,"unclosed,,4,4,2026-11-20T06:05:00Z,x\n',
]
BAD_BYTES_ROWS = [
    b"1030,SKU-30,,1,1,2026-11-20T06:05:00Z,ok\n",
    b"1031,SKU-31,,1,1,2026-11-20T06:05:00Z,caf\xe9\n",
    b"1032,SKU-32,,1,1,2026-11-20T06:05:00Z,ok\n",
]


def _job(chunk: Any, fmt: CsvFormat, context: dict[str, Any], name: str, **extra: Any) -> ChunkJob:
    registry = SpecRegistry.from_directory()
    spec = registry.get(Settings().connector("stock-count").mapping).file
    return ChunkJob(
        chunk=chunk,
        spec_file=str(spec),
        fmt=fmt,
        context=context,
        connector="stock-count",
        source=f"crossdock:file/{name}",
        location_prefix=name,
        doc_key=f"{name}:1:0123abcd",
        dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
        batch_size=7,
        time=datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC),
        **extra,
    )


def _canonical(result: ChunkResult) -> bytes:
    """Everything the chunk hands over, as bytes: the traceback by its error line only."""
    letters = []
    for dead in result.dead_rows:
        row = {k: v for k, v in dead.items() if k not in ("first_failed_at", "last_failed_at")}
        tb = row.pop("traceback")
        row["traceback_error"] = None if tb is None else tb.rstrip("\n").rsplit("\n", 1)[-1]
        row["payload"] = row["payload"].hex()
        letters.append(row)
    summary = {
        "published": result.published,
        "records": result.records,
        "dead_rows": letters,
        "dead_locations": result.dead_locations,
    }
    return b"\n".join([*result.bodies, json.dumps(summary, sort_keys=True, default=str).encode()])


def _digest(path: Path, rows_per_chunk: int, fmt: CsvFormat | None = None, **extra: Any) -> str:
    """sha256 of every chunk's output for the file at ``path``, chunk after chunk."""
    if fmt is None:
        fmt = csv_format_for(Settings().connector("stock-count"), SpecRegistry.from_directory())
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        context, header_len = fmt.read_header(fh, str(path))
        fh.seek(header_len)
        for chunk in split_rows(fh, CsvPosition(header_len, 1), rows_per_chunk):
            digest.update(
                _canonical(translate_chunk(_job(chunk, fmt, context, path.name, **extra)))
            )
    return digest.hexdigest()


def _file(tmp_path: Path, name: str, rows: list[bytes], header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes(header.encode() + b"".join(rows))
    return path


def test_the_bulk_files_chunks_are_unchanged(tmp_path: Path) -> None:
    # 25,000 rows of bench_bulk's file in chunks of 5,000: two bad rows, batches of 7 events
    path = write_file(tmp_path / "count.csv", 25_000)
    assert _digest(path, 5_000) == (
        "6dfccc3258c0dd48e01567e50919f4607a197874559994ee172065c26947ee05"
    )


@pytest.mark.parametrize(
    ("name", "digest"),
    [
        ("store-count", "e7647a48ef33b57de6d4eddf571203617add038dc1c709043b4665e83a9a1ee7"),
        ("date-only", "d018ef07dd7924e91c6285973f648568e578ef767b485b126eaefdd09c1f22bc"),
    ],
)
def test_the_mappings_golden_inputs_are_unchanged(name: str, digest: str) -> None:
    assert _digest(GOLDEN_INPUTS / f"{name}.in.csv", 3) == digest


#: quoted rows amid the edge rows; the unclosed quote last, as it swallows the rest
QUOTED = EDGE_ROWS[:3] + QUOTED_ROWS[:3] + EDGE_ROWS[3:] + QUOTED_ROWS[3:]


@pytest.mark.parametrize(
    ("name", "rows", "chunk_rows", "traced", "digest"),
    [
        (
            "edge",
            EDGE_ROWS,
            6,
            False,
            "4bc2f43a9adeee82a97a39360c37242fb2d0f30480d1efd6b58daae59890f205",
        ),
        (
            "edge",
            EDGE_ROWS,
            6,
            True,
            "e5ace43cb9d163304168188e7990ac38fda0a28dee4f136db1366ba5e9279f65",
        ),
        # in chunks of 6 some take the quote-free path; in one chunk every row takes csv's
        (
            "quoted",
            QUOTED,
            6,
            False,
            "774102705027b849dc5236d65d18e506cac40609ac2191a7a28fbe1b7a79964f",
        ),
        (
            "quoted",
            QUOTED,
            100,
            False,
            "bf8158cf9fefdf5c908df05ab8bb02cdd8ff489ecaa322ac0d5bd2cf59bbe7d0",
        ),
        (
            "bad-bytes",
            BAD_BYTES_ROWS + EDGE_ROWS[:5],
            6,
            False,
            "8d8a14b352600f1dd9cd082f7dc0b9314a50a0faca8a19826c0b81b89552061e",
        ),
    ],
)
def test_edge_rows_are_unchanged(
    tmp_path: Path, name: str, rows: list[bytes], chunk_rows: int, *, traced: bool, digest: str
) -> None:
    extra = {"traceparent": TRACEPARENT, "tracestate": "vendor=1"} if traced else {}
    assert _digest(_file(tmp_path, f"{name}.csv", rows), chunk_rows, **extra) == digest


def test_shuffled_columns_and_another_delimiter_are_unchanged(tmp_path: Path) -> None:
    # another column order and delimiter: the row function is compiled for that header
    columns = HEADER.strip().split(",")
    order = [5, 0, 3, 1, 6, 2, 4]
    lines = [";".join(columns[i] for i in order)]
    for row in EDGE_ROWS:
        cells = row.decode().rstrip("\n").split(",")
        if len(cells) == len(columns):
            lines.append(";".join(cells[i] for i in order))
    path = tmp_path / "shuffled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fmt = csv_format_for(Settings().connector("stock-count"), SpecRegistry.from_directory())
    assert _digest(path, 4, replace(fmt, delimiter=";")) == (
        "6f8d5354440c61ece7ca1d1120979650d9f9529d81da7b5833ddd0933a98220a"
    )


def test_a_header_without_the_optional_columns_is_unchanged(tmp_path: Path) -> None:
    keep = [0, 1, 3, 5]  # store_id, sku, counted_qty, counted_at
    columns = HEADER.strip().split(",")
    lines = [",".join(columns[i] for i in keep)]
    for row in EDGE_ROWS:
        cells = row.decode().rstrip("\n").split(",")
        if len(cells) == len(columns):
            lines.append(",".join(cells[i] for i in keep))
    path = tmp_path / "narrow.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _digest(path, 5) == ("f1794582ef872f97e0081fe56e69ef1e27c8ea550ea4bb0e58e977dcb8d59fe5")
