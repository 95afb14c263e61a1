"""Golden output of an EDIFACT spec: parse with EdifactFormat, map (split-aware), validate.

The shape is hub.golden's: one item per event, the event data as JSON (``None`` left out), or
``{"error": {"location", "class", "reason"}}`` for a message that fails a stage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic

from canonical import event_model
from connectors.errors import RecordError
from connectors.formats.edifact import EdifactFormat
from hub.deadletter.store import describe_error
from mappings import MappingError, compile_spec, load_spec

__all__ = ["edifact_golden_output"]


def _error(location: str, exc: BaseException) -> dict[str, Any]:
    return {"error": {"location": location, "class": type(exc).__name__, "reason": describe_error(exc)}}


def edifact_golden_output(spec_path: Path, input_path: Path) -> list[dict[str, Any]]:
    """What the spec at ``spec_path`` makes of the interchange at ``input_path``."""
    mapping = compile_spec(load_spec(spec_path))
    model = event_model(mapping.target_type, mapping.target_version)
    results: list[dict[str, Any]] = []
    with input_path.open("rb") as fh:
        for item in EdifactFormat().messages(fh, input_path.name):
            if isinstance(item, RecordError):
                results.append(_error(item.location, item))
                continue
            if item.context["message"] != mapping.source_message:
                continue
            try:
                events = [model.model_validate(data) for data in mapping.map_all(item.fields)]
            except (MappingError, pydantic.ValidationError) as exc:
                results.append(_error(item.context["where"], exc))
                continue
            results.extend(json.loads(e.model_dump_json(exclude_none=True)) for e in events)
    return results
