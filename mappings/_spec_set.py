"""The set of compiled mappings a hub runs with, loaded from a folder of spec files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ._compiled import CompiledMapping, compile_spec
from ._errors import SpecError
from ._loading import load_spec

__all__ = ["SPECS_DIR", "SpecRegistry"]

SPECS_DIR = Path(__file__).parent / "specs"
"""The specs shipped with Crossdock: ``mappings/specs/<source-format>/<type>@<version>.yaml``."""

_GOLDEN_SUFFIX = ".golden"


class SpecRegistry:
    """Compiled mappings by id, and by the source format and message they read."""

    def __init__(self, mappings: Iterable[CompiledMapping] = ()) -> None:
        self._by_id: dict[str, CompiledMapping] = {}
        for mapping in mappings:
            self.add(mapping)

    @classmethod
    def from_directory(cls, path: Path = SPECS_DIR) -> SpecRegistry:
        """Load and compile every ``**/*.yaml`` spec under ``path`` (golden folders excepted).

        All broken specs are reported together in one ``SpecError``, not one per run.
        """
        path = Path(path)
        if not path.is_dir():
            raise SpecError(str(path), ["not a directory"])
        registry = cls()
        problems: list[str] = []
        for file in sorted(path.rglob("*.yaml")):
            if any(part.endswith(_GOLDEN_SUFFIX) for part in file.relative_to(path).parts[:-1]):
                continue
            try:
                registry.add(compile_spec(load_spec(file)))
            except SpecError as error:
                problems += [f"{error.where}: {problem}" for problem in error.problems]
        if problems:
            raise SpecError(str(path), problems)
        return registry

    def add(self, mapping: CompiledMapping) -> None:
        """Add one compiled mapping; ``SpecError`` if its id is taken (naming both files)."""
        existing = self._by_id.get(mapping.id)
        if existing is not None:
            raise SpecError(
                mapping.id,
                [f"duplicate mapping id in {existing.file or '?'} and {mapping.file or '?'}"],
            )
        self._by_id[mapping.id] = mapping

    def get(self, spec_id: str) -> CompiledMapping:
        """The mapping with id ``spec_id``; ``KeyError`` when there is none."""
        try:
            return self._by_id[spec_id]
        except KeyError:
            raise KeyError(f"no mapping spec with id {spec_id!r}") from None

    def for_source(self, format: str, message: str | None = None) -> list[CompiledMapping]:
        """Mappings reading ``format`` (and ``message``, when given), sorted by id."""
        return [
            mapping
            for mapping in self
            if mapping.source_format == format
            and (message is None or mapping.source_message == message)
        ]

    def __iter__(self) -> Iterator[CompiledMapping]:
        return iter(sorted(self._by_id.values(), key=lambda mapping: mapping.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, spec_id: object) -> bool:
        return spec_id in self._by_id
