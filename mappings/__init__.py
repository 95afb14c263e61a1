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
from ._errors import MappingError, SpecError
from ._golden import GoldenCase, compare, golden_cases
from ._loading import load_spec
from ._registry import SPECS_DIR, SpecRegistry
from ._spec import ConditionSpec, EachSpec, FieldSpec, MappingSpec, SourceSpec, SplitSpec
from .transforms import register_transform

__all__ = [
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
    "golden_cases",
    "load_spec",
    "register_transform",
]
