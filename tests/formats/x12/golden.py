"""Golden cases of the X12 specs: parse with X12Format, map (one or many events), validate.

The output has the shape of ``hub.golden``: one item per event, or ``{"error": {...}}`` for a
transaction set or event that fails, so the hub's runner can take these cases over as they are.
``python -m tests.formats.x12.golden --write`` records the outputs after a reviewed change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pydantic

from canonical.registry import event_model
from connectors.formats.x12 import X12Format
from hub.deadletter.store import describe_error
from mappings import SPECS_DIR, MappingError, compile_spec, golden_cases, load_spec

__all__ = ["SPEC_DIR", "x12_golden_output"]

SPEC_DIR = SPECS_DIR / "x12"


def x12_golden_output(spec_path: Path, input_path: Path) -> list[dict[str, Any]]:
    """What the spec produces for ``input_path``, in the golden file's JSON shape."""
    mapping = compile_spec(load_spec(spec_path))
    model = event_model(mapping.target_type, mapping.target_version)
    results: list[dict[str, Any]] = []
    with input_path.open("rb") as fh:
        for item in X12Format().messages(fh, input_path.name):
            if isinstance(item, Exception):
                results.append(_error(item.location, item))
                continue
            if item.context.get("message") != mapping.source_message:
                continue  # other sets of the interchange belong to other specs
            try:
                events = [model.model_validate(data) for data in mapping.map_all(item.fields)]
            except (MappingError, pydantic.ValidationError) as exc:
                results.append(_error(item.context["where"], exc))
                continue
            results.extend(json.loads(e.model_dump_json(exclude_none=True)) for e in events)
    return results


def _error(location: str, exc: BaseException) -> dict[str, Any]:
    return {
        "error": {"location": location, "class": type(exc).__name__, "reason": describe_error(exc)}
    }


def _write() -> None:
    for spec_path in sorted(SPEC_DIR.glob("*.yaml")):
        for case in golden_cases(spec_path):
            output = x12_golden_output(spec_path, case.input_path)
            text = json.dumps(output, indent=2, ensure_ascii=False) + "\n"
            case.expected_path.write_text(text, encoding="utf-8")
            print(case.expected_path)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write()
