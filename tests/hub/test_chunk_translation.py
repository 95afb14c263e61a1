"""translate_chunk reads rows by column name, whatever the header's order, quoting or gaps."""

from __future__ import annotations

import gc
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.formats.csv import CsvPosition, split_rows
from hub.chunks import ChunkJob, translate_chunk
from hub.config import Settings, csv_format_for
from mappings import SPECS_DIR, SpecRegistry

COLUMNS = ["store_id", "sku", "gtin", "counted_qty", "system_qty", "counted_at", "counter"]


def _records(n: int) -> list[dict[str, str]]:
    return [
        {
            "store_id": f"10{i % 3}",
            "sku": f" SKU-{i:04d} ",
            "gtin": "" if i % 4 == 0 else "4006381333931",
            "counted_qty": "n/a" if i % 13 == 0 else str(i % 9),
            "system_qty": "" if i % 5 == 0 else "4",
            "counted_at": f"2026-11-20T06:{i % 60:02d}:00Z",
            "counter": "ann, the night shift" if i % 50 == 0 else "ann",
        }
        for i in range(1, n + 1)
    ]


def _write(path: Path, columns: list[str], records: list[dict[str, str]]) -> Path:
    def cell(text: str) -> str:
        return f'"{text}"' if "," in text else text

    lines = [",".join(columns)] + [",".join(cell(r[c]) for c in columns) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _translate(path: Path, spec_file: Path | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The events (id and data) and dead-letter locations of a stock-count file."""
    registry = SpecRegistry.from_directory()
    config = Settings().connector("stock-count")
    fmt = csv_format_for(config, registry)
    spec = spec_file or registry.get(config.mapping).file
    with path.open("rb") as fh:
        context, header_len = fmt.read_header(fh, str(path))
        fh.seek(header_len)
        chunks = list(split_rows(fh, CsvPosition(header_len, 1), 25))
    events: list[dict[str, Any]] = []
    dead: list[str] = []
    for chunk in chunks:
        result = translate_chunk(
            ChunkJob(
                chunk=chunk,
                spec_file=str(spec),
                fmt=fmt,
                context=context,
                connector="stock-count",
                source="crossdock:file/count.csv",
                location_prefix="count.csv",
                doc_key="count.csv:1:abc",
                dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
                batch_size=10,
                time=datetime(2026, 11, 23, tzinfo=UTC),
            )
        )
        events += [{"id": e["id"], "data": e["data"]} for b in result.bodies for e in json.loads(b)]
        dead += result.dead_locations
    return events, dead


def test_shuffled_and_quoted_columns_give_the_same_events(tmp_path: Path) -> None:
    records = _records(120)
    shuffled = COLUMNS[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled != COLUMNS
    # rows 50 and 100 are quoted: their chunks take the csv module, the others the split path
    events, dead = _translate(_write(tmp_path / "a.csv", COLUMNS, records))
    again, dead_again = _translate(_write(tmp_path / "b.csv", shuffled, records))
    assert again == events
    assert dead_again == dead == [f"count.csv:line {i + 1}" for i in range(13, 121, 13)]
    assert len(events) == 120 - 9
    first = events[0]["data"]
    assert first["sku"] == "SKU-0001"  # stripped by the spec
    assert first["counted_quantity"] == {"value": "1", "unit": "C62"}
    quoted = next(e["data"] for e in events if e["data"].get("counted_by", "").startswith("ann,"))
    assert quoted["counted_by"] == "ann, the night shift"


def test_a_header_without_optional_columns_still_translates(tmp_path: Path) -> None:
    columns = ["counted_at", "sku", "store_id", "counted_qty"]
    events, dead = _translate(_write(tmp_path / "c.csv", columns, _records(26)))
    assert dead == ["count.csv:line 14", "count.csv:line 27"]
    assert len(events) == 24
    assert all("gtin" not in e["data"] and "expected_on_hand" not in e["data"] for e in events)


def test_a_misspelt_target_still_fails_every_row_loudly(tmp_path: Path) -> None:
    # the workers ignore extra keys only for specs proved to emit none: this one is not
    shipped = SPECS_DIR / "csv" / "retail.inventory.adjusted@1.yaml"
    spec = tmp_path / "misspelt.yaml"
    spec.write_text(
        shipped.read_text(encoding="utf-8") + "  countd_by: {path: counter}\n", encoding="utf-8"
    )
    events, dead = _translate(_write(tmp_path / "d.csv", COLUMNS, _records(12)), spec)
    assert events == []
    assert len(dead) == 12


def test_a_chunk_with_bad_rows_leaves_nothing_for_the_cycle_collector(tmp_path: Path) -> None:
    # a dead letter's exception holds its traceback, and so translate_chunk's frame with the
    # chunk's text, rows and bodies: left in a cycle, a worker kept about eight chunks alive
    # until a full collection (68 to 197 MB over a 1M-row file)
    path = _write(tmp_path / "count.csv", COLUMNS, _records(60))  # bad rows: a qty of n/a
    registry = SpecRegistry.from_directory()
    config = Settings().connector("stock-count")
    fmt = csv_format_for(config, registry)
    with path.open("rb") as fh:
        context, header_len = fmt.read_header(fh, str(path))
        fh.seek(header_len)
        (chunk,) = split_rows(fh, CsvPosition(header_len, 1), 100)
    job = ChunkJob(
        chunk=chunk,
        spec_file=str(registry.get(config.mapping).file),
        fmt=fmt,
        context=context,
        connector="stock-count",
        source="crossdock:file/count.csv",
        location_prefix="count.csv",
        doc_key="count.csv:1:abc",
        dataschema="urn:crossdock:schema:retail.inventory.adjusted:1",
        batch_size=10,
        time=datetime(2026, 11, 23, tzinfo=UTC),
    )
    translate_chunk(job)  # the mapping compiled once a process, outside the count
    gc.collect()
    gc.disable()
    try:
        result = translate_chunk(job)
        assert result.dead_rows
        assert result.bodies
        del result
        assert gc.collect() == 0
    finally:
        gc.enable()
