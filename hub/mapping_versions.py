"""Every version of every mapping spec, so a dead letter can be replayed through a newer one.

:class:`mappings.SpecRegistry` holds one version per spec id (the one pipelines run); an
operator who fixed a spec as version 2 replays the letters of version 1 through it. The
catalog loads spec folders (the shipped one plus any configured) and keys by id and version.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mappings import SPECS_DIR, CompiledMapping, SpecError, SpecRegistry, compile_spec, load_spec

__all__ = ["MappingCatalog"]

_GOLDEN_SUFFIX = ".golden"


class MappingCatalog:
    """Compiled mappings by (id, version)."""

    def __init__(self, mappings: Iterable[CompiledMapping] = ()) -> None:
        self._by_key: dict[tuple[str, int], CompiledMapping] = {}
        for mapping in mappings:
            self.add(mapping)

    @classmethod
    def from_directories(cls, *folders: Path) -> MappingCatalog:
        """Every ``**/*.yaml`` spec under ``folders`` (default: the shipped specs).

        A spec id and version found in two files is an error naming both; broken specs are
        reported together.
        """
        catalog = cls()
        problems: list[str] = []
        for folder in folders or (SPECS_DIR,):
            for file in sorted(Path(folder).rglob("*.yaml")):
                parts = file.relative_to(folder).parts[:-1]
                if any(part.endswith(_GOLDEN_SUFFIX) for part in parts):
                    continue
                try:
                    catalog.add(compile_spec(load_spec(file)))
                except SpecError as error:
                    problems += [f"{error.where}: {problem}" for problem in error.problems]
        if problems:
            raise SpecError(", ".join(str(f) for f in folders) or str(SPECS_DIR), problems)
        return catalog

    def add(self, mapping: CompiledMapping) -> None:
        """Add one mapping; ``SpecError`` when its id and version are taken."""
        key = (mapping.id, mapping.version)
        existing = self._by_key.get(key)
        if existing is not None:
            raise SpecError(
                f"{mapping.id}@{mapping.version}",
                [f"the same id and version in {existing.file or '?'} and {mapping.file or '?'}"],
            )
        self._by_key[key] = mapping

    def versions(self, spec_id: str) -> list[int]:
        """The versions of ``spec_id``, ascending (empty when unknown)."""
        return sorted(v for i, v in self._by_key if i == spec_id)

    def get(self, spec_id: str, version: int | None = None) -> CompiledMapping:
        """Version ``version`` of ``spec_id`` (default: the newest); ``KeyError`` when missing."""
        versions = self.versions(spec_id)
        if not versions:
            raise KeyError(f"no mapping spec with id {spec_id!r}")
        chosen = versions[-1] if version is None else version
        try:
            return self._by_key[(spec_id, chosen)]
        except KeyError:
            raise KeyError(
                f"mapping {spec_id!r} has no version {chosen}; it has {versions}"
            ) from None

    def newest(self) -> SpecRegistry:
        """A registry of the newest version of each spec (what a pipeline would run)."""
        ids = sorted({i for i, _ in self._by_key})
        return SpecRegistry(self.get(i) for i in ids)

    def ids(self) -> list[str]:
        """The spec ids, sorted."""
        return sorted({i for i, _ in self._by_key})
