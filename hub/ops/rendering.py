"""What a dead letter becomes through a mapping: the event, or why not; and dry-run diffs.

A letter is parsed again from its original (or edited) bytes with its connector's format,
mapped, and validated against the canonical model, exactly as the pipeline would; nothing is
published here.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

import pydantic
from pydantic import BaseModel

from canonical import event_model, make_event_id
from connectors.errors import RecordError
from connectors.formats.csv import CsvFormat
from connectors.sdk.deadletter import describe_error
from hub.ops.letters import Letter
from mappings import CompiledMapping, MappingError

__all__ = ["Rendered", "dry_run", "line_of", "render", "replay_event_id"]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A letter through one mapping: the validated event data, or the reason it failed."""

    mapping: CompiledMapping
    model: BaseModel | None
    error: str | None
    error_class: str | None = None

    @property
    def ok(self) -> bool:
        """True when the letter would make a valid event."""
        return self.model is not None

    def as_json(self) -> dict[str, Any]:
        """The outcome as JSON: mapping, event data or error."""
        return {
            "mapping": f"{self.mapping.id}@{self.mapping.version}",
            "ok": self.ok,
            "event": self.model.model_dump(mode="json", exclude_none=True) if self.model else None,
            "error": self.error,
            "error_class": self.error_class,
        }


def line_of(letter: Letter) -> int:
    """The source line of a letter (``…:line 12``), 0 when it names none."""
    tail = letter.location.rsplit(":line ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 0


def replay_event_id(letter: Letter, mapping: CompiledMapping) -> str:
    """The id a replay publishes under: the same letter through the same mapping, the same id.

    A redrive killed between the broker's confirm and the letter being marked replays the
    letter again under this same id, so consumers drop the second copy.
    """
    if letter.event_id and letter.mapping_version == mapping.version:
        return letter.event_id
    return make_event_id(letter.key, str(line_of(letter)), f"{mapping.id}@{mapping.version}")


def render(
    letter: Letter, mapping: CompiledMapping, fmt: CsvFormat, payload: bytes | None = None
) -> Rendered:
    """Parse, map and validate ``letter`` (or ``payload`` in its place) through ``mapping``."""
    data = letter.payload if payload is None else payload
    try:
        record = fmt.parse_record(data, letter.context, source=letter.source, line=line_of(letter))
        model = event_model(mapping.target_type, mapping.target_version)
        event = model.model_validate(mapping(record.fields))
    except (RecordError, MappingError, pydantic.ValidationError, KeyError) as exc:
        cls = f"{type(exc).__module__}.{type(exc).__qualname__}"
        return Rendered(mapping, None, describe_error(exc), cls)
    return Rendered(mapping, event, None)


def _lines(rendered: Rendered) -> list[str]:
    body: Any = rendered.as_json()["event"] if rendered.ok else {"error": rendered.error}
    return json.dumps(body, indent=2, sort_keys=True, default=str).splitlines()


def dry_run(
    letter: Letter,
    current: CompiledMapping,
    proposed: CompiledMapping,
    fmt: CsvFormat,
    payload: bytes | None = None,
) -> dict[str, Any]:
    """What replaying through ``proposed`` would produce, against ``current``, as a diff."""
    before = render(letter, current, fmt)
    after = render(letter, proposed, fmt, payload)
    diff = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=f"{current.id}@{current.version}",
        tofile=f"{proposed.id}@{proposed.version}" + (" (edited payload)" if payload else ""),
        lineterm="",
    )
    return {
        "letter_id": letter.id,
        "current": before.as_json(),
        "proposed": after.as_json(),
        "event_id": replay_event_id(letter, proposed),
        "diff": "\n".join(diff),
        "would_replay": after.ok,
    }
