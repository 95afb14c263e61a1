"""Canonical events the hub has already validated, read into Python values without validating again.

An event the hub's own pipeline just validated and serialised (the CloudEvents JSON of a
:class:`canonical.Envelope`) needs no second pydantic validation before routing: that cost
~56 µs of a stock count's ~290 µs. What routing needs of it is what validation would have handed
back — amounts as Decimal, times as aware datetimes, enums as their members, absent optional
fields at their defaults — and that is a conversion of the JSON by the model's field types,
read once per model from its annotations. A type this reader does not know is handed to
pydantic's own :class:`~pydantic.TypeAdapter` for that field alone, so nothing is guessed.

Only for trusted JSON: a value that is not what its model writes fails here with ValueError
or TypeError, or passes unchecked; events from the bus are validated
(:func:`canonical.parse_envelope`).
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined, SchemaValidator

from canonical.event_versions import default_registry

__all__ = ["attributes_of", "data_of"]

Convert = Callable[[Any], Any] | None
"""JSON value → Python value (None: the JSON value is already it)."""


def _decimal(value: Any) -> Decimal:
    return Decimal(value if type(value) is str else str(value))


def _datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value)


def _date(value: Any) -> date:
    return date.fromisoformat(value)


_IDENTITY = frozenset({str, int, float, bool, type(None), Any})


def _converter(annotation: Any) -> Convert:
    """How to read a JSON value of ``annotation`` (None: as it is)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        # constraints and after-validators ran before the JSON was written: its value is theirs
        return _converter(typing.get_args(annotation)[0])
    if annotation in _IDENTITY or origin is typing.Literal:
        return None
    if origin in (typing.Union, types.UnionType):
        return _union(annotation)
    if origin in (list, tuple):
        return _sequence(annotation)
    if isinstance(annotation, type):
        return _class(annotation)
    return _pydantic(annotation)


def _pydantic(annotation: Any) -> Convert:
    """A type this module does not know: pydantic reads this one value as validation would."""
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    validator = adapter.validator
    if isinstance(validator, SchemaValidator):
        # the core validator with the adapter's defaults: its Python wrapper, a frame of eight
        # keywords, was most of reading an event's timestamp
        return validator.validate_python
    return adapter.validate_python


def _union(annotation: Any) -> Convert:
    members = [a for a in typing.get_args(annotation) if a is not type(None)]
    if len(members) == 1:
        inner = _converter(members[0])
        if inner is None:
            return None
        return lambda v: None if v is None else inner(v)
    if all(_converter(m) is None for m in members):
        return None
    return _pydantic(annotation)


def _sequence(annotation: Any) -> Convert:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return _pydantic(annotation)  # a fixed-length tuple
    item = _converter(args[0]) if args else None
    if origin is list:
        return None if item is None else (lambda v: [item(x) for x in v])
    return tuple if item is None else (lambda v: tuple(item(x) for x in v))


_CLASSES: tuple[tuple[type, Convert], ...] = (
    (Decimal, _decimal),
    (datetime, _datetime),  # before date: a datetime is a date
    (date, _date),
    (str, None),
    (bool, None),
    (int, None),
    (float, None),
)


def _class(annotation: type) -> Convert:
    if issubclass(annotation, BaseModel):
        return _model_reader(annotation)
    if issubclass(annotation, Enum):
        return _enum(annotation)
    for kind, convert in _CLASSES:
        if issubclass(annotation, kind):
            return convert
    return _pydantic(annotation)


def _field_converter(annotation: Any) -> Convert:
    """:func:`_converter` of a model field: an optional one (``X | None``) read as ``X``, since
    the model's reader keeps None as None itself (no second test of it a field)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _field_converter(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _converter(members[0])
    return _converter(annotation)


def _enum(kind: type[Enum]) -> Callable[[Any], Enum]:
    """``kind(value)``, its member looked up first as the call itself does, without the call
    (EnumMeta.__call__ in Python, ~1 µs a field); anything else goes to the call."""
    members = kind._value2member_map_

    def read(value: Any) -> Enum:
        try:
            return members[value]
        except (KeyError, TypeError):
            return kind(value)

    return read


@cache
def _model_reader(model: type[BaseModel]) -> Callable[[Any], dict[str, Any]]:
    """A function reading ``model``'s JSON (a dict) into what ``model_dump(mode="python")``
    gives of the validated model.

    Written out as one dict display per model (a loop over the fields cost twice as much):
    a field present is converted (None stays None), an absent one (``exclude_none`` leaves
    optional fields out) takes the default validation gave it."""
    namespace: dict[str, Any] = {"_M": _NOTHING}
    items: list[str] = []
    for i, (name, info) in enumerate(model.model_fields.items()):
        convert = _field_converter(info.rebuild_annotation())
        if info.default_factory is not None:
            factory = info.default_factory
            namespace[f"d{i}"] = lambda f=factory: _plain_default(f())
            default = f"d{i}()"
        else:
            value = None if info.default is PydanticUndefined else info.default
            if isinstance(value, _SHARED):
                namespace[f"d{i}"] = value
                default = f"d{i}"
            else:  # a fresh copy each time, as validation gives each model its own
                namespace[f"d{i}"] = lambda v=value: _plain_default(copy.deepcopy(v))
                default = f"d{i}()"
        key = repr(name)
        if convert is None:
            items.append(f"{key}: (({default}) if (v{i} := g({key}, _M)) is _M else v{i})")
        else:
            namespace[f"c{i}"] = convert
            items.append(
                f"{key}: (({default}) if (v{i} := g({key}, _M)) is _M"
                f" else None if v{i} is None else c{i}(v{i}))"
            )
    # the source is built from the model's field names (identifiers, written with repr) only
    source = "def read(raw):\n    g = raw.get\n    return {" + ", ".join(items) + "}\n"
    exec(source, namespace)
    read: Callable[[Any], dict[str, Any]] = namespace["read"]
    return read


_NOTHING = object()
_SHARED = (str, int, float, bool, type(None), tuple, frozenset, Enum, Decimal, date)
"""Defaults every event can share (immutable); any other default is copied for each."""


def _plain_default(default: Any) -> Any:
    """A default as ``model_dump(mode="python")`` gives it (a model default dumped to a dict)."""
    if isinstance(default, BaseModel):
        return default.model_dump(mode="python")
    return default


def data_of(event_type: str, version: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data`` of a validated event of ``event_type`` at ``version`` as Python values
    (what the model's ``model_dump(mode="python")`` gives); LookupError for an unknown type."""
    return _model_reader(default_registry.event_model(event_type, version))(data)


def attributes_of(event: Mapping[str, Any]) -> dict[str, Any]:
    """The CloudEvents attributes of a validated event as Python values, extensions kept (what
    ``Envelope.model_dump(mode="python", exclude={"data"})`` gives: the envelope writes every
    attribute but the absent optional ones, and only ``time`` is not a JSON type)."""
    read = {name: value for name, value in event.items() if name != "data"}
    read["time"] = _datetime(read["time"])
    return read
