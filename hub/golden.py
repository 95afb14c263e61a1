"""Golden tests of mapping specs: real input documents beside each spec, expected events too.

Each case's input is parsed by the connector format of the spec's source, mapped and validated;
the result is a list with one item per record: the event data as JSON, or ``{"error": {...}}``
naming the stage and location of a record that fails. ``crossdock mappings test`` and the
suite run them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from canonical import event_model
from connectors.errors import RecordError
from connectors.formats.document import DocumentFormat
from connectors.formats.edifact import EdifactFormat
from connectors.formats.x12 import X12Format
from hub.config import FileConnectorConfig
from hub.deadletter.store import describe_error
from hub.runtime import csv_format_for
from hub.translate import translate_records
from mappings import (
    SPECS_DIR,
    CompiledMapping,
    MappingError,
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


def golden_output(spec_path: Path, input_path: Path) -> list[dict[str, Any]]:
    """What the spec produces for ``input_path``, in the golden file's JSON shape."""
    mapping = compile_spec(load_spec(spec_path))
    document_format = _DOCUMENT_FORMATS.get(mapping.source_format)
    if document_format is not None:
        return document_golden_output(document_format, mapping, input_path)
    if mapping.source_format != "csv":
        raise NotImplementedError(f"{spec_path}: no golden reader for {mapping.source_format!r}")
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


#: readers of the document formats whose specs have golden cases (one message, many events)
_DOCUMENT_FORMATS: dict[str, DocumentFormat] = {"x12": X12Format(), "edifact": EdifactFormat()}


def _golden_error(location: str, exc: BaseException) -> dict[str, Any]:
    return {
        "error": {"location": location, "class": type(exc).__name__, "reason": describe_error(exc)}
    }


def document_golden_output(
    fmt: DocumentFormat, mapping: CompiledMapping, input_path: Path
) -> list[dict[str, Any]]:
    """Golden output of a document format: its messages of the spec's kind, mapped, validated.

    One item per event (a ``split`` spec gives several per message), or one error item per
    message that fails to parse, map or validate. Messages of other kinds are skipped.
    """
    model = event_model(mapping.target_type, mapping.target_version)
    results: list[dict[str, Any]] = []
    with input_path.open("rb") as fh:
        for item in fmt.messages(fh, input_path.name):
            if isinstance(item, RecordError):
                results.append(_golden_error(item.location, item))
                continue
            if mapping.source_message and item.context.get("message") != mapping.source_message:
                continue
            try:
                events = [model.model_validate(data) for data in mapping.map_all(item.fields)]
            except (MappingError, pydantic.ValidationError) as exc:
                results.append(_golden_error(str(item.context.get("where", item.location)), exc))
                continue
            results.extend(json.loads(event.model_dump_json(exclude_none=True)) for event in events)
    return results


def run_golden_tests(root: Path = SPECS_DIR) -> Iterator[GoldenResult]:
    """Every golden case of every spec under ``root``."""
    for spec_path in sorted(root.rglob("*.yaml")):
        spec = load_spec(spec_path)
        for case in golden_cases(spec_path):
            expected = json.loads(case.expected_path.read_text(encoding="utf-8"))
            actual = golden_output(spec_path, case.input_path)
            yield GoldenResult(f"{spec.id}@{spec.version}", case.name, compare(actual, expected))
