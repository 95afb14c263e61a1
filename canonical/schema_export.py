"""JSON Schema files for the event payloads, generated from the models and checked for drift.

Layout: ``<root>/<event type>/v<version>.schema.json``, e.g.
``schemas/retail.order.created/v1.schema.json``. Each file is the draft 2020-12 schema of the
event's ``data`` in *validation* mode (what a producer may send: amounts as string or number),
with ``$id`` equal to the envelope's ``dataschema`` URI. Keys are sorted and indented by two
spaces with a trailing newline, so regenerating an unchanged model gives a byte-identical file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from canonical.envelope import dataschema_uri
from canonical.event_versions import EventRegistry, default_registry
from canonical.events import EventData

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SUFFIX = ".schema.json"


def event_schema(model: type[EventData]) -> dict[str, Any]:
    """Return the JSON Schema of ``model``'s payload with ``$schema``, ``$id`` and ``title`` set."""
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = dataschema_uri(model.event_type, model.event_version)
    schema["title"] = f"{model.event_type}@{model.event_version}"
    return schema


def schema_path(event_type: str, version: int) -> Path:
    """Return the path of a schema file relative to the schema root."""
    return Path(event_type) / f"v{version}{_SUFFIX}"


def render_schema(schema: dict[str, Any]) -> str:
    """Return the canonical text of a schema file."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_schemas(registry: EventRegistry = default_registry) -> dict[Path, str]:
    """Return ``{relative path: file text}`` for every registered model."""
    return {
        schema_path(event_type, version): render_schema(
            event_schema(registry.event_model(event_type, version))
        )
        for event_type in registry.event_types()
        for version in registry.versions(event_type)
    }


def export_schemas(root: Path, registry: EventRegistry = default_registry) -> list[Path]:
    """Write every registered model's schema under ``root``; return the written paths."""
    written = []
    for relative, text in expected_schemas(registry).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_schemas(root: Path, registry: EventRegistry = default_registry) -> list[str]:
    """Return one human-readable message per schema file that drifted from the models."""
    expected = expected_schemas(registry)
    present = {path.relative_to(root) for path in root.glob(f"*/*{_SUFFIX}")}
    problems = []
    for relative in sorted(expected.keys() | present):
        if relative not in present:
            problems.append(f"{relative}: missing (regenerate with export_schemas)")
        elif relative not in expected:
            problems.append(f"{relative}: no registered event model produces this file")
        else:
            message = _compare(root / relative, expected[relative])
            if message:
                problems.append(f"{relative}: {message}")
    return problems


def _compare(path: Path, expected_text: str) -> str | None:
    actual_text = path.read_text(encoding="utf-8")
    if actual_text == expected_text:
        return None
    try:
        actual = json.loads(actual_text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc})"
    pointer = first_difference(actual, json.loads(expected_text))
    if pointer is None:
        return "same content but not in canonical formatting (regenerate with export_schemas)"
    return f"content differs from the model, first at {pointer or '/'}"


def first_difference(actual: Any, expected: Any, pointer: str = "") -> str | None:
    """Return the JSON pointer of the first place ``actual`` and ``expected`` differ, or None."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        return _first_difference_in_objects(actual, expected, pointer)
    if isinstance(actual, list) and isinstance(expected, list):
        return _first_difference_in_arrays(actual, expected, pointer)
    # type() as well as ==, because JSON true and 1 must not compare equal here.
    if type(actual) is not type(expected) or actual != expected:
        return pointer
    return None


def _first_difference_in_objects(
    actual: dict[str, Any], expected: dict[str, Any], pointer: str
) -> str | None:
    for key in sorted(actual.keys() | expected.keys()):
        here = f"{pointer}/{_escape(key)}"
        if key not in actual or key not in expected:
            return here
        found = first_difference(actual[key], expected[key], here)
        if found is not None:
            return found
    return None


def _first_difference_in_arrays(actual: list[Any], expected: list[Any], pointer: str) -> str | None:
    for index, (left, right) in enumerate(zip(actual, expected, strict=False)):
        found = first_difference(left, right, f"{pointer}/{index}")
        if found is not None:
            return found
    if len(actual) != len(expected):
        return f"{pointer}/{min(len(actual), len(expected))}"
    return None


def _escape(key: str) -> str:
    # RFC 6901: "~" and "/" inside a key are escaped as "~0" and "~1".
    return key.replace("~", "~0").replace("/", "~1")
