"""Golden tests of mapping specs: real input documents beside each spec, expected events too.

Each case's input is parsed by the connector format of the spec's source, mapped and validated;
the result is a list with one item per event: the event data as JSON, or ``{"error": {...}}``
naming the stage and location of a record that fails. A CSV input gives one item per row; a
document (X12, EDIFACT, IDoc, POSLog, Shopify) gives the events of every message of the spec's
kind, in document order (several per message for a ``split`` spec); messages of other kinds
belong to other specs and are left out. ``crossdock mappings test`` and the suite run them all.

A refusal case (``<name>.refused.txt``) runs the whole document as ``crossdock translate`` does:
it passes when no event comes out and an error (or the count of ignored technical messages)
contains the recorded text. A case naming a corpus document (``<name>.ref``) is skipped, with
the reason, where the corpus is absent, and fails instead under
``CROSSDOCK_REQUIRE_SERVICES=1`` (CI, where the corpus must be present).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.errors import RecordError
from connectors.formats import document_formats
from connectors.formats.document import DocumentFormat
from connectors.record import RawRecord
from connectors.sdk.deadletter import describe_error
from hub.config import ConnectorSettings, Settings, csv_format_for
from hub.documents import DocumentMapper
from hub.translate import TranslationError, TranslationNote, translate_file, translate_records
from mappings import (
    SPECS_DIR,
    CompiledMapping,
    GoldenCase,
    SpecRegistry,
    compare,
    compile_spec,
    golden_folder_cases,
    golden_folders,
    load_spec,
)
from mappings.partner_profile import PartnerProfile, active_profile

__all__ = [
    "GoldenResult",
    "document_golden_output",
    "golden_output",
    "json_objects",
    "refusal_outcome",
    "run_golden_case",
    "run_golden_tests",
]

REQUIRE_ENV = "CROSSDOCK_REQUIRE_SERVICES"
"""Set to ``1`` where every corpus document must be present (CI): a missing one fails."""


@dataclass(frozen=True, slots=True)
class GoldenResult:
    """One case: which spec and case, and the differences found (empty when it passes)."""

    spec: str
    case: str
    differences: list[str]
    #: the spec's source format (``csv``, ``poslog``…), for counts per format
    format: str = ""
    #: why the case did not run (its corpus document is absent); empty when it ran
    skipped: str = ""
    #: events the document gave, and errors or refusals it ended with
    events: int = 0
    refusals: int = 0
    #: False for a case of a folder of refusals with no spec beside it
    has_spec: bool = True


def golden_output(
    spec_path: Path, input_path: Path, profile: PartnerProfile | None = None
) -> list[dict[str, Any]]:
    """What the spec produces for ``input_path`` (mapped with ``profile``, if given), in the
    golden file's JSON shape."""
    mapping = compile_spec(load_spec(spec_path))
    if mapping.source_format not in ("csv", "json"):
        document = document_formats.get(mapping.source_format)
        return document_golden_output(document, mapping, input_path, profile)
    results: list[dict[str, Any]] = []
    with active_profile(profile):
        if mapping.source_format == "json":
            rows: Iterator[RawRecord | RecordError] = iter(json_objects(input_path, mapping))
        else:
            # the spec's own registry: a package's spec is not among the shipped ones
            config = ConnectorSettings(mapping=mapping.id)
            fmt = csv_format_for(config, SpecRegistry([mapping]))
            rows = fmt.read(input_path, source=input_path.name)
        found_all = list(translate_records(rows, mapping, input_path.name))
    for found in found_all:
        if found.failures:
            error = found.failures[0].error
            results.append(
                {
                    "error": {
                        "location": found.record.location,
                        "class": type(error).__name__,
                        "reason": describe_error(error),
                    }
                }
            )
        else:
            data = found.events[0].data
            results.append(json.loads(data.model_dump_json(exclude_none=True)))
    return results


def document_golden_output(
    fmt: DocumentFormat,
    mapping: CompiledMapping,
    input_path: Path,
    profile: PartnerProfile | None = None,
) -> list[dict[str, Any]]:
    """Golden output of a document: its messages of the spec's kind, mapped, validated.

    One item per event (a ``split`` spec gives several per message), or one error item per
    message that fails to parse, map or validate. Messages of other kinds are left out.
    """
    mapper = DocumentMapper(SpecRegistry([mapping]), only=mapping, profile=profile)
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


def json_objects(input_path: Path, mapping: CompiledMapping) -> list[RawRecord]:
    """The objects of a ``json`` spec's case, as an API source reads them: a JSON array of
    objects, one object, or JSON lines, each a record of the spec's message."""
    text = input_path.read_text(encoding="utf-8").strip()
    try:
        loaded = json.loads(text)
        objects = loaded if isinstance(loaded, list) else [loaded]
    except ValueError:
        objects = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [
        RawRecord(
            data=json.dumps(item, separators=(",", ":"), sort_keys=True).encode(),
            source=input_path.name,
            line=n,
            fields=item,
            content_type="application/json",
            context={"message": mapping.source_message},
        )
        for n, item in enumerate(objects, 1)
    ]


@functools.cache
def _shipped_specs() -> SpecRegistry:
    """The shipped specs, loaded once for every refusal case (0.4 s each time otherwise)."""
    return SpecRegistry.from_directory()


def refusal_outcome(input_path: Path) -> tuple[int, list[str]]:
    """The events count and the error (and ignored-message) lines of ``crossdock translate``."""
    events = 0
    errors: list[str] = []
    for line in translate_file(
        input_path, Settings(), connector="stock-count", registry=_shipped_specs()
    ):
        if isinstance(line, TranslationError | TranslationNote):
            errors.append(str(line))
        else:
            events += 1
    return events, errors


def run_golden_case(spec_path: Path | None, case: GoldenCase, fmt: str = "") -> GoldenResult:
    """Run one case: of the spec at ``spec_path``, or a refusal case of a folder without spec."""
    spec = load_spec(spec_path) if spec_path is not None else None
    name = f"{spec.id}@{spec.version}" if spec is not None else f"{fmt} refusals"
    fmt = spec.source.format if spec is not None else fmt
    has_spec = spec is not None
    missing = case.unavailable()
    if missing is not None:
        if os.environ.get(REQUIRE_ENV) == "1":
            problem = [f"{missing} and {REQUIRE_ENV}=1"]
            return GoldenResult(name, case.name, problem, fmt, has_spec=has_spec)
        return GoldenResult(name, case.name, [], fmt, skipped=missing, has_spec=has_spec)
    if case.refused:
        events, errors = refusal_outcome(case.input_path)
        wanted = case.expected_refusal()
        differences = [f"{events} event(s), expected the document refused"] if events else []
        if not any(wanted in error for error in errors):
            shown = "; ".join(errors[:3]) or "no error at all"
            differences.append(f"no error contains {wanted!r} (got: {shown})")
        return GoldenResult(
            name, case.name, differences, fmt, refusals=len(errors), has_spec=has_spec
        )
    if spec_path is None:
        problem = ["only refusal cases (.refused.txt) may be kept without a spec"]
        return GoldenResult(name, case.name, problem, fmt, has_spec=False)
    actual = golden_output(spec_path, case.input_path, case.partner())
    failed = sum(1 for item in actual if isinstance(item, dict) and set(item) == {"error"})
    return GoldenResult(
        name,
        case.name,
        compare(actual, case.expected()),
        fmt,
        events=len(actual) - failed,
        refusals=failed,
    )


def run_golden_tests(root: Path = SPECS_DIR) -> Iterator[GoldenResult]:
    """Every golden case under ``root`` (laid out as ``mappings/specs``: ``<format>/…``): each
    spec's, then the refusal folders without a spec."""
    for folder in golden_folders(root):
        beside = folder.with_name(folder.name.removesuffix(".golden") + ".yaml")
        spec_path = beside if beside.is_file() else None
        # A folder right under ``root`` means ``root`` is itself one format's folder.
        parts = folder.relative_to(root).parts if folder.is_relative_to(root) else ()
        fmt = parts[0] if len(parts) > 1 else root.name
        for case in golden_folder_cases(folder):
            yield run_golden_case(spec_path, case, fmt)
