"""One-off translation of a document to canonical events, without a bus or a database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic

from canonical import dataschema_uri, event_model, make_event_id
from connectors.errors import RecordError
from connectors.record import RawRecord
from hub.batch import EventBatch
from hub.config import Settings
from hub.deadletter.store import describe_error
from hub.errors import ConfigError
from hub.pipeline import document_key
from hub.runtime import csv_format_for
from mappings import CompiledMapping, MappingError, SpecRegistry

__all__ = ["TranslationError", "detect_mapping", "translate_file", "translate_records"]


class TranslationError(str):
    """An error line (a ``str`` subclass so callers tell events and errors apart by type)."""

    __slots__ = ()


def detect_mapping(path: Path, registry: SpecRegistry) -> CompiledMapping:
    """Pick the mapping for a document from its content; refuse to guess."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    if head[:3] == b"ISA" or head[:3] in (b"UNA", b"UNB") or head[:1] in (b"<", b"{", b"["):
        raise ConfigError(
            f"{path}: recognised as a non-CSV document, which this version cannot translate yet; "
            "pass --mapping to choose a spec"
        )
    candidates = registry.for_source("csv")
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(m.id for m in candidates) or "none"
    raise ConfigError(f"{path}: cannot tell which CSV mapping applies (candidates: {names})")


def translate_records(
    items: Iterator[RawRecord | RecordError], mapping: CompiledMapping
) -> Iterator[tuple[RawRecord | RecordError, Any]]:
    """Map and validate records: pairs of (record, event model) or (record, error)."""
    model = event_model(mapping.target_type, mapping.target_version)
    for item in items:
        if isinstance(item, RecordError):
            yield item, item
            continue
        try:
            yield item, model.model_validate(mapping(item.fields))
        except (MappingError, pydantic.ValidationError) as exc:
            yield item, exc


def translate_file(
    path: Path, settings: Settings, *, connector: str, mapping_id: str | None = None
) -> Iterator[str]:
    """CloudEvents JSON lines for each good record, :class:`TranslationError` for each bad one."""
    registry = SpecRegistry.from_directory()
    try:
        mapping = registry.get(mapping_id) if mapping_id else detect_mapping(path, registry)
    except KeyError:
        yield TranslationError(f"{path}: unknown mapping {mapping_id!r}")
        return
    except ConfigError as exc:
        yield TranslationError(str(exc))
        return
    config = settings.connector(connector)
    fmt = csv_format_for(config.model_copy(update={"mapping": mapping.id}), registry)
    doc_id = document_key(path).rsplit(":", 1)[1]
    ref = f"{mapping.id}@{mapping.version}"
    batch = EventBatch(
        source=f"crossdock:file/{path.name}",
        event_type=mapping.target_type,
        version=mapping.target_version,
        dataschema=dataschema_uri(mapping.target_type, mapping.target_version),
        time=datetime.now(UTC),
    )
    try:
        for record, result in translate_records(fmt.read(path), mapping):
            if isinstance(result, BaseException):
                yield TranslationError(f"{record.location}: {describe_error(result)}")
                continue
            assert isinstance(record, RawRecord)
            batch.add(make_event_id(doc_id, str(record.line), ref), result, record.line)
            yield batch.drain()[0].decode()
    except RecordError as exc:
        yield TranslationError(str(exc))
