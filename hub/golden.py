"""Golden tests of mapping specs: real input documents beside each spec, expected events too.

Each case's input is parsed by the connector format of the spec's source, mapped and validated;
the result is a list with one item per event: the event data as JSON, or ``{"error": {...}}``
naming the stage and location of a record that fails. A CSV input gives one item per row; a
document (X12, EDIFACT, IDoc, POSLog, Shopify) gives the events of every message of the spec's
kind, in document order (several per message for a ``split`` spec); messages of other kinds
belong to other specs and are left out. ``crossdock mappings test`` and the suite run them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.errors import RecordError
from connectors.formats import registry as document_formats
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord
from hub.config import FileConnectorConfig
from hub.deadletter.store import describe_error
from hub.documents import DocumentMapper
from hub.runtime import csv_format_for
from hub.translate import translate_records
from mappings import (
    SPECS_DIR,
    CompiledMapping,
    SpecRegistry,
    compare,
    compile_spec,
    golden_cases,
    load_spec,
)

__all__ = ["GoldenResult", "document_golden_output", "golden_output", "run_golden_tests"]


@dataclass(frozen=True, slots=True)
class GoldenResult:
    """One case: which spec and case, and the differences found (empty when it passes)."""

    spec: str
    case: str
    differences: list[str]
    #: the spec's source format (``csv``, ``poslog``…), for counts per format
    format: str = ""


def golden_output(spec_path: Path, input_path: Path) -> list[dict[str, Any]]:
    """What the spec produces for ``input_path``, in the golden file's JSON shape."""
    mapping = compile_spec(load_spec(spec_path))
    if mapping.source_format != "csv":
        return _document_output(mapping, input_path)
    registry = SpecRegistry.from_directory()
    fmt = csv_format_for(FileConnectorConfig(mapping=mapping.id), registry)
    results: list[dict[str, Any]] = []
    for record, result in translate_records(fmt.read(input_path, source=input_path.name), mapping):
        if isinstance(result, BaseException):
            results.append(
                {
                    "error": {
                        "location": record.location if hasattr(record, "location") else "",
                        "class": type(result).__name__,
                        "reason": describe_error(result),
                    }
                }
            )
        else:
            results.append(json.loads(result.model_dump_json(exclude_none=True)))
    return results


def _document_output(mapping: CompiledMapping, input_path: Path) -> list[dict[str, Any]]:
    return document_golden_output(document_formats.get(mapping.source_format), mapping, input_path)


def document_golden_output(
    fmt: DocumentFormat, mapping: CompiledMapping, input_path: Path
) -> list[dict[str, Any]]:
    """Golden output of a document: its messages of the spec's kind, mapped, validated.

    One item per event (a ``split`` spec gives several per message), or one error item per
    message that fails to parse, map or validate. Messages of other kinds are left out.
    """
    mapper = DocumentMapper(SpecRegistry([mapping]), only=mapping)
    results: list[dict[str, Any]] = []
    with input_path.open("rb") as fh:
        for record in fmt.messages(fh, input_path.name):
            kind = record.context.get("message")
            if isinstance(record, RawRecord) and mapping.source_message not in (None, kind):
                continue
            outcome = mapper.translate(record, fmt, "golden")
            results += [
                json.loads(e.data.model_dump_json(exclude_none=True)) for e in outcome.events
            ]
            # a message that could not be parsed is placed by its error's location (file and
            # line), one that could by the format's description of it (identity, element)
            where = record.location if isinstance(record, RecordError) else outcome.where
            results += [
                {
                    "error": {
                        "location": where,
                        "class": type(f.error).__name__,
                        "reason": describe_error(f.error),
                    }
                }
                for f in outcome.failures
            ]
    return results


def run_golden_tests(root: Path = SPECS_DIR) -> Iterator[GoldenResult]:
    """Every golden case of every spec under ``root``."""
    for spec_path in sorted(root.rglob("*.yaml")):
        spec = load_spec(spec_path)
        for case in golden_cases(spec_path):
            expected = json.loads(case.expected_path.read_text(encoding="utf-8"))
            actual = golden_output(spec_path, case.input_path)
            yield GoldenResult(
                f"{spec.id}@{spec.version}",
                case.name,
                compare(actual, expected),
                spec.source.format,
            )
