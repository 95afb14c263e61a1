"""Compiled mappings: a spec turned into a Python callable, with its generated source kept."""

from __future__ import annotations

import linecache
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ._codegen import SPLIT_KEY, generate
from ._spec import EachSpec, FieldSpec, MappingSpec

__all__ = ["CompiledMapping", "compile_spec"]


class CompiledMapping:
    """A mapping spec compiled to Python: call it with a parsed source record to get event data.

    The result is a dict of dicts, lists and values as the transforms produce them (str,
    ``Decimal``, ``datetime``, ``date``, int, bool, ``None``). Optional fields whose value is
    absent are present with ``None``; a nested object is left out entirely when none of its
    leaves carries a value from the source (``const`` and ``index`` leaves and values that came
    from ``default`` do not count; a list from ``each`` always counts), so an optional
    ``expected_on_hand: {value, unit}`` disappears when the source has no quantity even though
    its unit is a constant. Objects made only of constants are always kept.
    """

    __slots__ = (
        "_fallbacks",
        "_function",
        "_row_functions",
        "ref",
        "source",
        "spec",
        "target_type",
        "target_version",
    )

    def __init__(self, spec: MappingSpec) -> None:
        generated = generate(spec)
        self.spec = spec
        #: The generated Python module source, for review and debugging.
        self.source = generated.source
        _run_generated(self.source, f"<mapping {spec.id}@{spec.version}>", generated.namespace)
        self._function: Callable[[Any], dict[str, Any]] = generated.namespace["_map"]
        self._fallbacks: list[int] = generated.namespace["_fallbacks"]
        self._row_functions: dict[tuple[str, ...], Callable[[list[str]], dict[str, Any]] | None]
        self._row_functions = {}
        # read for every event mapped (its id, its model, its batch): worked out once here,
        # as the spec is frozen
        #: ``id@version``, as event ids, dead letters and logs name the mapping
        self.ref: str = f"{spec.id}@{spec.version}"
        #: the canonical event type produced (``retail.inventory.adjusted``)
        self.target_type: str = spec.target_type
        #: the canonical event version produced
        self.target_version: int = spec.target_version

    def __call__(self, record: Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
        """Map one parsed source record to one event; raises :class:`MappingError` when it cannot.

        A split spec makes several events of one record: call :meth:`map_all` for those.
        """
        if self.spec.split is not None:
            raise TypeError(f"{self!r} splits a record into several events: call map_all()")
        return self._function(record)

    @property
    def record_function(self) -> Callable[[Any], dict[str, Any]]:
        """The generated one-event function itself, for loops that map many records.

        The same as calling the mapping, without the per-call check for a split spec.
        """
        if self.spec.split is not None:
            raise TypeError(f"{self!r} splits a record into several events: use map_all()")
        return self._function

    def row_function(self, columns: Sequence[str]) -> Callable[[list[str]], dict[str, Any]] | None:
        """The one-event function for rows given as field lists in ``columns`` order, or None.

        A CSV reader then hands over each row's split fields as they are, without a dict per
        row; the result equals calling the mapping with ``dict(zip(columns, row))``. None when
        the spec splits records, reads more than flat named columns, lacks a required column
        here, or ``columns`` repeats a name. Compiled once per distinct header.
        """
        key = tuple(columns)
        if key not in self._row_functions:
            function = None
            if self.spec.split is None:
                generated = generate(self.spec, columns=key)
                generated.namespace["_fallbacks"] = self._fallbacks
                filename = f"<mapping {self.spec.id}@{self.spec.version} rows>"
                _run_generated(generated.source, filename, generated.namespace)
                function = generated.namespace.get("_map_row")
            self._row_functions[key] = function
        return self._row_functions[key]

    def map_all(self, record: Mapping[str, Any] | Sequence[Any]) -> list[dict[str, Any]]:
        """Every event's data from one record: one item per split item, else exactly one."""
        if self.spec.split is None:
            return [self._function(record)]
        events: list[dict[str, Any]] = self._function(record)[SPLIT_KEY]
        return events

    def emits_only_fields_of(self, model: type[BaseModel]) -> bool:
        """Whether every key this mapping can emit is a field of ``model`` (nested ones too).

        The spec's targets are fixed, so this is known before any record: when it holds, a
        model that forbids extra fields can validate this mapping's output with extra fields
        ignored instead (there are none to find), which spares pydantic a pass over each
        object's keys. False wherever it cannot be proved: a leaf aimed at a whole nested
        model (a function could hand it any dict), aliases, or a type it does not follow.
        """
        if self.spec.split is not None:
            return False
        return _fits(dict(self.spec.fields), model)

    @property
    def splits(self) -> bool:
        """Whether one record gives several events (the spec has ``split``)."""
        return self.spec.split is not None

    @property
    def id(self) -> str:
        """The spec id (``csv.stock-count``)."""
        return self.spec.id

    @property
    def version(self) -> int:
        """The spec version."""
        return self.spec.version

    @property
    def source_format(self) -> str:
        """The connector format read (``csv``, ``x12``, …)."""
        return self.spec.source.format

    @property
    def source_message(self) -> str | None:
        """The message kind within the format (``850``, ``stock-count``), if the spec names one."""
        return self.spec.source.message

    @property
    def file(self) -> Path | None:
        """The spec file, when the spec was loaded from one."""
        return self.spec.file

    @property
    def fallbacks(self) -> int:
        """How many records took the slower checked path (errors and absent optional values)."""
        return self._fallbacks[0]

    def __repr__(self) -> str:
        return f"<CompiledMapping {self.id}@{self.version} → {self.spec.target}>"


def _run_generated(source: str, filename: str, namespace: dict[str, Any]) -> None:
    """Execute generated module source into ``namespace``."""
    # Registered so that tracebacks through generated code show its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def _fits(fields: Mapping[str, FieldSpec | EachSpec], model: type[BaseModel]) -> bool:
    """Whether the targets ``fields`` (dotted keys) all name plain fields of ``model``."""
    for key, spec in fields.items():
        current: type[BaseModel] | None = model
        *parents, last = key.split(".")
        for name in parents:
            current = _nested_model(current, name)
            if current is None:
                return False
        found = _field(current, last)
        if found is None:
            return False
        if isinstance(spec, EachSpec):
            item = _item_model(found)
            if item is None or not _fits(spec.fields, item):
                return False
        elif _mentions_model(found):
            return False
    return True


def _field(model: type[BaseModel] | None, name: str) -> Any:
    """The annotation of ``model``'s field ``name`` when it is validated by that name."""
    if model is None:
        return None
    info = model.model_fields.get(name)
    if info is None or info.alias not in (None, name) or info.validation_alias is not None:
        return None
    return info.annotation


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    plain = _without_none(annotation)
    return plain if isinstance(plain, type) and issubclass(plain, BaseModel) else None


def _nested_model(model: type[BaseModel] | None, name: str) -> type[BaseModel] | None:
    return _as_model(_field(model, name))


def _item_model(annotation: Any) -> type[BaseModel] | None:
    plain = _without_none(annotation)
    if typing.get_origin(plain) not in (list, tuple):
        return None
    args = [a for a in typing.get_args(plain) if a is not Ellipsis]
    return _as_model(args[0]) if len(args) == 1 else None


def _mentions_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_mentions_model(arg) for arg in typing.get_args(annotation))


def compile_spec(spec: MappingSpec) -> CompiledMapping:
    """Compile ``spec`` into a callable; ``SpecError`` for unknown transforms or functions."""
    return CompiledMapping(spec)
