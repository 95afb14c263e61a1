"""Mapping specs shipped by installed packages (a connector's own), beside Crossdock's.

A package registers a folder of specs, laid out as ``mappings/specs`` is
(``<format>/<type>@<version>.yaml``, golden cases in ``<name>.golden/`` beside each), under the
entry-point group ``crossdock.mappings``. The entry point names either the folder (a ``Path``
or ``str`` attribute) or a module whose own folder holds the specs::

    [project.entry-points."crossdock.mappings"]
    acme-wms = "crossdock_acme_wms:SPECS_DIR"

``crossdock mappings list`` and ``mappings test`` then show and run them, the hub maps with
them, and their dead letters replay through them, as with the shipped specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from ._errors import SpecError
from ._spec_set import SPECS_DIR, SpecRegistry

__all__ = ["ENTRY_POINT_GROUP", "SpecFolder", "installed_specs", "spec_folders"]

ENTRY_POINT_GROUP = "crossdock.mappings"

#: the name :func:`spec_folders` gives Crossdock's own specs
BUNDLED = "crossdock"


@dataclass(frozen=True, slots=True)
class SpecFolder:
    """A folder of specs and who ships it (``crossdock``, or the entry point's name)."""

    name: str
    path: Path


def _folder_of(name: str, value: str, target: object) -> Path:
    if isinstance(target, ModuleType) and target.__file__ is not None:
        path = Path(target.__file__).parent
    elif isinstance(target, str | Path):
        path = Path(target)
    else:
        raise SpecError(f"{ENTRY_POINT_GROUP} {name} = {value}", ["not a folder nor a module"])
    if not path.is_dir():
        raise SpecError(f"{ENTRY_POINT_GROUP} {name} = {value}", [f"{path} is not a folder"])
    return path


def spec_folders() -> list[SpecFolder]:
    """Crossdock's specs first, then each installed package's, by entry-point name.

    A package whose entry point does not load or names no folder is a ``SpecError`` naming it
    (a connector's mapping silently missing would dead-letter every record it reads).
    """
    folders = [SpecFolder(BUNDLED, SPECS_DIR)]
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            target = point.load()
        except Exception as exc:  # a broken package: named, with its own error
            where = f"{ENTRY_POINT_GROUP} {point.name} = {point.value}"
            raise SpecError(where, [f"does not load: {exc}"]) from exc
        folders.append(SpecFolder(point.name, _folder_of(point.name, point.value, target)))
    return folders


def installed_specs() -> SpecRegistry:
    """One registry of every installed folder's specs (an id shipped twice is an error)."""
    registry = SpecRegistry()
    for folder in spec_folders():
        for mapping in SpecRegistry.from_directory(folder.path):
            registry.add(mapping)
    return registry
