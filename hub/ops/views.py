"""Read models of the console: pages of letters, grouped counts, the overview, one letter.

Pages and counts are :mod:`hub.ops.listing`'s (the one read ``crossdock dlq list`` runs too,
without SQLAlchemy), named here with the rest. Every other read is a Core statement on
:data:`~hub.deadletter.table.DEAD_LETTERS` or SQL text: no object is loaded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Row, func, select, text

from connectors.sdk.deadletter import DeadLetterStatus
from hub.deadletter.table import DEAD_LETTERS
from hub.errors import DeadLetterError
from hub.ops.filters import DeadLetterFilter
from hub.ops.listing import (
    TALLY_TABLE,
    CountGroup,
    LetterPage,
    count_groups,
    letter_summary,
    list_letters,
)
from hub.sql_reader import parse_time

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.reconcile import FileBalance

__all__ = [
    "CountGroup",
    "DepthRow",
    "LetterPage",
    "MappingCount",
    "count_groups",
    "export_lines",
    "letter_detail",
    "letter_summary",
    "list_letters",
    "mapping_counts",
    "overview",
    "reconcile_view",
]

_HEX_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class MappingCount:
    """How many letters failed with one version of one mapping (id None: no mapping)."""

    mapping_id: str | None
    mapping_version: int | None
    count: int


@dataclass(frozen=True, slots=True)
class DepthRow:
    """Open letters of one connector and stage, and how old the oldest is."""

    connector: str
    stage: str
    depth: int
    oldest_at: datetime | None
    oldest_age_seconds: float | None


def mapping_counts(engine: Engine, flt: DeadLetterFilter) -> list[MappingCount]:
    """The mappings and versions the letters matching ``flt`` failed with, and how many each.

    What a redrive's choice of mapping version means depends on it: a version applies to
    each letter's own mapping, so it can only be chosen for letters of one mapping.
    """
    row = DEAD_LETTERS.c
    stmt = flt.apply(
        select(row.mapping_id, row.mapping_version, func.count()), engine.dialect.name
    ).group_by(row.mapping_id, row.mapping_version)
    with engine.connect() as conn:
        found = [MappingCount(m, v, int(n)) for m, v, n in conn.execute(stmt)]
    return sorted(found, key=lambda c: (c.mapping_id or "", c.mapping_version or 0))


# Depth from the tallies; the oldest letter of each group by one seek on the index
# (status, connector, stage, first_failed_at): ORDER BY … LIMIT 1 rather than min(), which
# SQLite answers by scanning the group's range. One statement, one round trip.
_OVERVIEW = text(
    f"SELECT t.connector, t.stage, sum(t.n), "
    "(SELECT d.first_failed_at FROM dead_letters d WHERE d.status = :s "
    "AND d.connector = t.connector AND d.stage = t.stage "
    "ORDER BY d.first_failed_at LIMIT 1) "
    f"FROM {TALLY_TABLE} t WHERE t.status = :s "
    "GROUP BY t.connector, t.stage HAVING sum(t.n) > 0 ORDER BY t.connector, t.stage"
)


def overview(engine: Engine, *, now: datetime | None = None) -> list[DepthRow]:
    """Depth and oldest age of the open letters per connector and stage."""
    now = now or datetime.now(UTC)
    out: list[DepthRow] = []
    with engine.connect() as conn:
        groups = conn.execute(_OVERVIEW, {"s": DeadLetterStatus.OPEN.value}).all()
    for connector, stage, depth, oldest in groups:
        oldest_at = parse_time(oldest) if oldest is not None else None
        age = (now - oldest_at).total_seconds() if oldest_at else None
        out.append(DepthRow(connector, stage, int(depth), oldest_at, age))
    return out


def _parsed_view(row: Row[Any]) -> dict[str, Any] | None:
    """The bytes as fields: a CSV row against its file's header, or a JSON document."""
    names = (row.context or {}).get("names")
    text_value = row.payload.decode("utf-8", "replace")
    if names and "csv" in row.content_type:
        try:
            rows = [r for r in csv.reader(io.StringIO(text_value)) if r]
        except csv.Error:
            return None
        if len(rows) == 1:
            values = rows[0]
            fields = {n: (values[i] if i < len(values) else None) for i, n in enumerate(names)}
            extra = values[len(names) :]
            return {"fields": fields, **({"extra_values": extra} if extra else {})}
        return None
    if "json" in row.content_type:
        try:
            parsed: dict[str, Any] = {"document": json.loads(row.payload)}
        except ValueError:
            return None
        return parsed
    return None


def _hex_dump(data: bytes) -> str:
    """Offset, 16 bytes in hex, and their printable characters, per line."""
    lines = []
    for offset in range(0, min(len(data), _HEX_LIMIT), 16):
        chunk = data[offset : offset + 16]
        hexed = " ".join(f"{b:02x}" for b in chunk)
        shown = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexed:<47}  {shown}")
    if len(data) > _HEX_LIMIT:
        lines.append(f"… {len(data) - _HEX_LIMIT} more bytes")
    return "\n".join(lines)


def letter_detail(engine: Engine, letter_id: int) -> dict[str, Any]:
    """Everything about one letter: original bytes (text and hex), parsed view, error, history."""
    with engine.connect() as conn:
        row = conn.execute(select(DEAD_LETTERS).where(DEAD_LETTERS.c.id == letter_id)).first()
    if row is None:
        raise DeadLetterError(f"no dead letter with id {letter_id}")
    detail = letter_summary(row)
    detail.update(
        {
            "key": row.key,
            "content_type": row.content_type,
            "payload_text": row.payload.decode("utf-8", "replace"),
            "payload_hex": _hex_dump(row.payload),
            "payload_size": len(row.payload),
            "parsed": _parsed_view(row),
            "context": row.context,
            "traceback": row.traceback,
            "history": row.history,
            "event_id": row.event_id,
            "correlation_id": row.correlation_id,
            "mapping_id": row.mapping_id,
            "mapping_version": row.mapping_version,
        }
    )
    return detail


def export_lines(engine: Engine, flt: DeadLetterFilter, *, batch: int = 1000) -> Iterator[bytes]:
    """Every matching letter as one JSON line (original bytes as text and base16), oldest first."""
    after = 0
    while True:
        stmt = (
            flt.apply(select(DEAD_LETTERS), engine.dialect.name)
            .where(DEAD_LETTERS.c.id > after)
            .order_by(DEAD_LETTERS.c.id)
        )
        with engine.connect() as conn:
            rows = conn.execute(stmt.limit(batch)).all()
            for row in rows:
                line = letter_summary(row)
                line.update(
                    key=row.key,
                    content_type=row.content_type,
                    payload_text=row.payload.decode("utf-8", "replace"),
                    payload_hex=row.payload.hex(),
                    context=row.context,
                    history=row.history,
                )
                yield json.dumps(line, default=str).encode() + b"\n"
        if len(rows) < batch:
            return
        after = rows[-1].id


#: what the reconcile view covers when no time is given
RECONCILE_DEFAULT_SINCE = timedelta(hours=24)


def reconcile_view(
    engine: Engine, settings: Settings, *, since: datetime | None, file: str | None
) -> list[FileBalance]:
    """The balances the page and API show: the files called ``file``, else those
    checkpointed or refused since ``since`` (default: the last 24 hours)."""
    # imported here: hub.reconcile reads files as the inbox does (the chunk workers, the
    # canonical models, the bus), which every other read of this module, and `crossdock dlq
    # list` with it, would otherwise import at start (800 M instructions, 1.3 times the rest)
    from hub.reconcile import Reconciler

    reconciler = Reconciler(engine, settings)
    if file is not None:
        return reconciler.named(file)
    return reconciler.since(since or datetime.now(UTC) - RECONCILE_DEFAULT_SINCE)
