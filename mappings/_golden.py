"""Golden cases: recorded inputs and expected outputs kept beside each spec.

``mappings/specs/csv/retail.inventory.adjusted@1.yaml`` has its cases in
``mappings/specs/csv/retail.inventory.adjusted@1.golden/`` as pairs ``<name>.in.<ext>`` (the raw
source file; parsing it is the connector's job) and ``<name>.out.json`` (the expected event data).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._errors import SpecError

__all__ = ["GoldenCase", "compare", "golden_cases"]


@dataclass(frozen=True)
class GoldenCase:
    """One recorded input and the event data it must map to."""

    name: str
    input_path: Path
    expected_path: Path

    def expected(self) -> Any:
        """The expected output, read from ``<name>.out.json``."""
        return json.loads(self.expected_path.read_text(encoding="utf-8"))


def golden_folder(spec_path: Path) -> Path:
    """The folder holding the golden cases of ``spec_path``."""
    spec_path = Path(spec_path)
    return spec_path.with_name(spec_path.name.removesuffix(".yaml") + ".golden")


def golden_cases(spec_path: Path) -> list[GoldenCase]:
    """The golden cases beside ``spec_path``, sorted by name; none when there is no folder.

    An input without an expected output (or the reverse, or two inputs for one name) is a
    ``SpecError``: a half-recorded case would otherwise pass by being skipped.
    """
    folder = golden_folder(spec_path)
    if not folder.is_dir():
        return []
    inputs: dict[str, list[Path]] = {}
    outputs: dict[str, Path] = {}
    for file in folder.iterdir():
        if not file.is_file():
            continue
        if file.name.endswith(".out.json"):
            outputs[file.name.removesuffix(".out.json")] = file
        elif ".in." in file.name:
            inputs.setdefault(file.name.partition(".in.")[0], []).append(file)
    problems = [f"{name}: no .in.* input" for name in sorted(set(outputs) - set(inputs))]
    problems += [
        f"{name}: no .out.json expected output" for name in sorted(set(inputs) - set(outputs))
    ]
    problems += [
        f"{name}: several inputs ({', '.join(sorted(p.name for p in paths))})"
        for name, paths in sorted(inputs.items())
        if len(paths) > 1
    ]
    if problems:
        raise SpecError(str(folder), problems)
    return [GoldenCase(name, inputs[name][0], outputs[name]) for name in sorted(outputs)]


def _normalise(value: Any) -> Any:
    """The JSON form of mapped data: Decimal → str, datetime/date/time → ISO 8601, tuple → list."""
    if isinstance(value, Mapping):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _same_instant(actual: str, expected: str) -> bool:
    # pydantic writes UTC as 'Z', isoformat() as '+00:00'; both name the same instant and offset.
    try:
        left, right = datetime.fromisoformat(actual), datetime.fromisoformat(expected)
    except ValueError:
        return False
    return left == right and left.utcoffset() == right.utcoffset()


def _pointer(parts: list[str]) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts) or "/"


def _differences(actual: Any, expected: Any, at: list[str], found: list[str]) -> None:
    if isinstance(actual, dict) and isinstance(expected, dict):
        for key in expected:
            if key not in actual:
                found.append(f"{_pointer([*at, key])}: missing, expected {expected[key]!r}")
            else:
                _differences(actual[key], expected[key], [*at, key], found)
        found.extend(
            f"{_pointer([*at, key])}: unexpected {actual[key]!r}"
            for key in actual
            if key not in expected
        )
    elif isinstance(actual, list) and isinstance(expected, list):
        for position, (left, right) in enumerate(zip(actual, expected, strict=False)):
            _differences(left, right, [*at, str(position)], found)
        if len(actual) != len(expected):
            found.append(f"{_pointer(at)}: {len(actual)} items, expected {len(expected)}")
    elif type(actual) is not type(expected) and (
        isinstance(actual, bool) or isinstance(expected, bool)
    ):
        # True == 1 in Python, but not in JSON.
        found.append(f"{_pointer(at)}: {actual!r}, expected {expected!r}")
    elif actual != expected and not (
        isinstance(actual, str) and isinstance(expected, str) and _same_instant(actual, expected)
    ):
        found.append(f"{_pointer(at)}: {actual!r}, expected {expected!r}")


def compare(actual: Any, expected: Any) -> list[str]:
    """Differences between mapped data and a golden output, each addressed by a JSON pointer.

    Both sides are first brought to their JSON form (``Decimal`` → its exact text, so ``12.0``
    differs from ``12``; dates and times → ISO 8601). An empty list means they match.
    """
    found: list[str] = []
    _differences(_normalise(actual), _normalise(expected), [], found)
    return found
