"""Mapping engine: versioned YAML specs from source formats to canonical event data.

A spec says, field by field, where each value of a canonical event comes from in a parsed source
document (CSV row, X12, EDIFACT, IDoc, POSLog, JSON). It is compiled once into Python source, so
mapping a document costs about what a hand-written function costs::

    registry = SpecRegistry.from_directory()          # mappings/specs/**/*.yaml
    mapping = registry.get("csv.stock-count")
    data = mapping(row)                              # dict of event data, or MappingError

The spec format is described in ``mappings/README.md``.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from canonical.lazy_exports import lazy_exports as _lazy_exports

# the names load on first use (PEP 562): importing one submodule, or this package for one
# name, does not pay for all of them (see canonical.lazy_exports); the helpers' names start
# with _ so that the package's public names stay its API and its submodules
if _TYPE_CHECKING:
    from ._compiled import CompiledMapping, compile_spec
    from ._corpus import CORPUS_ENV, corpus_document, corpus_root
    from ._errors import MappingError, SpecError
    from ._golden import GoldenCase, compare, golden_cases, golden_folder_cases, golden_folders
    from ._loading import load_spec
    from ._spec import ConditionSpec, EachSpec, FieldSpec, MappingSpec, SourceSpec, SplitSpec
    from ._spec_set import SPECS_DIR, SpecRegistry
    from .spec_packages import ENTRY_POINT_GROUP, SpecFolder, installed_specs, spec_folders
    from .transforms import register_transform

_HOMES = {
    "ENTRY_POINT_GROUP": "mappings.spec_packages",
    "SpecFolder": "mappings.spec_packages",
    "installed_specs": "mappings.spec_packages",
    "spec_folders": "mappings.spec_packages",
    "CORPUS_ENV": "mappings._corpus",
    "CompiledMapping": "mappings._compiled",
    "ConditionSpec": "mappings._spec",
    "EachSpec": "mappings._spec",
    "FieldSpec": "mappings._spec",
    "GoldenCase": "mappings._golden",
    "MappingError": "mappings._errors",
    "MappingSpec": "mappings._spec",
    "SPECS_DIR": "mappings._spec_set",
    "SourceSpec": "mappings._spec",
    "SpecError": "mappings._errors",
    "SpecRegistry": "mappings._spec_set",
    "SplitSpec": "mappings._spec",
    "compare": "mappings._golden",
    "compile_spec": "mappings._compiled",
    "corpus_document": "mappings._corpus",
    "corpus_root": "mappings._corpus",
    "golden_cases": "mappings._golden",
    "golden_folder_cases": "mappings._golden",
    "golden_folders": "mappings._golden",
    "load_spec": "mappings._loading",
    "register_transform": "mappings.transforms",
}

__all__ = [
    "CORPUS_ENV",
    "ENTRY_POINT_GROUP",
    "SPECS_DIR",
    "CompiledMapping",
    "ConditionSpec",
    "EachSpec",
    "FieldSpec",
    "GoldenCase",
    "MappingError",
    "MappingSpec",
    "SourceSpec",
    "SpecError",
    "SpecFolder",
    "SpecRegistry",
    "SplitSpec",
    "compare",
    "compile_spec",
    "corpus_document",
    "corpus_root",
    "golden_cases",
    "golden_folder_cases",
    "golden_folders",
    "installed_specs",
    "load_spec",
    "register_transform",
    "spec_folders",
]


__getattr__, __dir__ = _lazy_exports(__name__, _HOMES)
