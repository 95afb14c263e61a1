"""Mapping engine: versioned YAML specs from source formats to canonical event data.

A spec says, field by field, where each value of a canonical event comes from in a parsed source
document (CSV row, X12, EDIFACT, IDoc, POSLog, JSON). It is compiled once into Python source, so
mapping a document costs about what a hand-written function costs::

    registry = SpecRegistry.from_directory()          # mappings/specs/**/*.yaml
    mapping = registry.get("csv.stock-count")
    data = mapping(row)                              # dict of event data, or MappingError

The spec format is described in ``mappings/README.md``.
"""

from ._compiled import CompiledMapping, compile_spec
from ._corpus import CORPUS_ENV, corpus_document, corpus_root
from ._errors import MappingError, SpecError
from ._golden import GoldenCase, compare, golden_cases, golden_folder_cases, golden_folders
from ._loading import load_spec
from ._registry import SPECS_DIR, SpecRegistry
from ._spec import ConditionSpec, EachSpec, FieldSpec, MappingSpec, SourceSpec, SplitSpec
from .transforms import register_transform

__all__ = [
    "CORPUS_ENV",
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
    "SpecRegistry",
    "SplitSpec",
    "compare",
    "compile_spec",
    "corpus_document",
    "corpus_root",
    "golden_cases",
    "golden_folder_cases",
    "golden_folders",
    "load_spec",
    "register_transform",
]
