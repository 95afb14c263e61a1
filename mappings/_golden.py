"""Golden cases: recorded inputs and expected outcomes kept beside each spec.

``mappings/specs/csv/retail.inventory.adjusted@1.yaml`` has its cases in
``mappings/specs/csv/retail.inventory.adjusted@1.golden/``. A case is one input and one expected
outcome, paired by name:

- input ``<name>.in.<ext>``: the raw source file, kept in the project (documents written here
  from a standard, named ``written-here-*``); or ``<name>.ref``: one line naming a document of
  the third-party corpus by its path relative to the corpus root (``x12/nodex12_850.edi``, see
  :mod:`mappings._corpus`), since third-party documents are never copied into the project;
- expected ``<name>.out.json``: the event data (and error items) the spec gives; or
  ``<name>.refused.txt``: the document must be refused whole (no event), with an error that
  contains this text;
- optionally ``<name>.partner.yaml``: the partner profile the case is mapped with (the settings
  of one ``partners:`` entry, without ``senders``: it applies whatever the sender).

A ``.golden`` folder with no spec beside it (``mappings/specs/x12/refused.golden/``) holds
refusal cases of documents no spec reads (a message type Crossdock does not map).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import yaml

from ._corpus import CORPUS_ENV, corpus_document, corpus_root
from ._errors import SpecError
from .partner_profile import PartnerProfile

__all__ = [
    "GoldenCase",
    "compare",
    "golden_cases",
    "golden_folder",
    "golden_folder_cases",
    "golden_folders",
]

_OUT = ".out.json"
_REFUSED = ".refused.txt"
_REF = ".ref"
_PARTNER = ".partner.yaml"


@dataclass(frozen=True)
class GoldenCase:
    """One recorded input (in the project or named in the corpus) and its expected outcome."""

    name: str
    input_path: Path
    expected_path: Path
    #: the corpus path named by a ``.ref`` case (``None`` for an input kept in the project)
    reference: str | None = None
    #: the partner profile the case is mapped with (``<name>.partner.yaml``), if any
    partner_path: Path | None = None

    def partner(self) -> PartnerProfile | None:
        """The profile of ``<name>.partner.yaml``, or ``None`` (the neutral profile)."""
        if self.partner_path is None:
            return None
        return _read_profile(self.partner_path)

    @property
    def refused(self) -> bool:
        """Whether the document must be refused (``.refused.txt``) rather than give events."""
        return self.expected_path.name.endswith(_REFUSED)

    def expected(self) -> Any:
        """The expected output, read from ``<name>.out.json``."""
        return json.loads(self.expected_path.read_text(encoding="utf-8"))

    def expected_refusal(self) -> str:
        """The text the refusal must contain, read from ``<name>.refused.txt``."""
        return self.expected_path.read_text(encoding="utf-8").strip()

    def unavailable(self) -> str | None:
        """Why the input cannot be read here (a corpus document without the corpus), or None."""
        if self.reference is None or self.input_path.is_file():
            return None
        return (
            f"corpus document {self.reference} not found under {corpus_root()} "
            f"(put the shared corpus beside the project or set {CORPUS_ENV})"
        )


def golden_folder(spec_path: Path) -> Path:
    """The folder holding the golden cases of ``spec_path``."""
    spec_path = Path(spec_path)
    return spec_path.with_name(spec_path.name.removesuffix(".yaml") + ".golden")


def golden_folders(root: Path) -> list[Path]:
    """Every ``.golden`` folder under ``root``, sorted (with or without a spec beside it)."""
    return sorted(p for p in Path(root).rglob("*.golden") if p.is_dir())


def golden_cases(spec_path: Path) -> list[GoldenCase]:
    """The golden cases beside ``spec_path``, sorted by name; none when there is no folder."""
    return golden_folder_cases(golden_folder(spec_path))


def golden_folder_cases(folder: Path) -> list[GoldenCase]:
    """The cases of one golden folder, sorted by name; none when there is no folder.

    An input without an expected outcome (or the reverse, two inputs or two outcomes for one
    name, a reference that is not a corpus path, a profile that is not one) is a
    ``SpecError``: a half-recorded case would otherwise pass by being skipped.
    """
    if not folder.is_dir():
        return []
    inputs, outputs, partners = _files_by_case(folder)
    problems = [f"{name}: no .in.* input or .ref" for name in sorted(set(outputs) - set(inputs))]
    problems += [
        f"{name}: no .out.json or .refused.txt expected outcome"
        for name in sorted(set(inputs) - set(outputs))
    ]
    problems += [
        f"{name}: several {what} ({', '.join(sorted(p.name for p in paths))})"
        for what, found in (("inputs", inputs), ("expected outcomes", outputs))
        for name, paths in sorted(found.items())
        if len(paths) > 1
    ]
    problems += [
        f"{name}{_PARTNER}: no case of that name" for name in sorted(set(partners) - set(inputs))
    ]
    cases: list[GoldenCase] = []
    for name in sorted(set(inputs) & set(outputs)):
        case = _case(name, inputs[name][0], outputs[name][0], partners.get(name), problems)
        if case is not None:
            cases.append(case)
    if problems:
        raise SpecError(str(folder), problems)
    return cases


def _files_by_case(
    folder: Path,
) -> tuple[dict[str, list[Path]], dict[str, list[Path]], dict[str, Path]]:
    """The folder's inputs, expected outcomes and partner profiles, by case name."""
    inputs: dict[str, list[Path]] = {}
    outputs: dict[str, list[Path]] = {}
    partners: dict[str, Path] = {}
    for file in folder.iterdir():
        if not file.is_file():
            continue
        if file.name.endswith(_PARTNER):
            partners[file.name.removesuffix(_PARTNER)] = file
        elif file.name.endswith(_OUT):
            outputs.setdefault(file.name.removesuffix(_OUT), []).append(file)
        elif file.name.endswith(_REFUSED):
            outputs.setdefault(file.name.removesuffix(_REFUSED), []).append(file)
        elif file.name.endswith(_REF):
            inputs.setdefault(file.name.removesuffix(_REF), []).append(file)
        elif ".in." in file.name:
            inputs.setdefault(file.name.partition(".in.")[0], []).append(file)
    return inputs, outputs, partners


def _case(
    name: str, source: Path, expected: Path, partner: Path | None, problems: list[str]
) -> GoldenCase | None:
    """One case, or ``None`` with its problems added to ``problems``."""
    if expected.name.endswith(_REFUSED) and not expected.read_text(encoding="utf-8").strip():
        problems.append(f"{expected.name}: empty; write the text the refusal must contain")
    if partner is not None:
        try:
            _read_profile(partner)
        except ValueError as exc:
            problems.append(f"{partner.name}: {exc}")
    if not source.name.endswith(_REF):
        return GoldenCase(name, source, expected, partner_path=partner)
    reference = source.read_text(encoding="utf-8").strip()
    try:
        document = corpus_document(reference)
    except ValueError as exc:
        problems.append(f"{source.name}: {exc}")
        return None
    return GoldenCase(name, document, expected, reference, partner)


def _read_profile(path: Path) -> PartnerProfile:
    """A profile from YAML; ``ValueError`` (pydantic's, or for bad YAML) saying what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {exc}") from exc
    try:
        return PartnerProfile.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValueError(
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or '(profile)'}: {e['msg']}" for e in exc.errors()
            )
        ) from None


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
