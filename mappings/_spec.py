"""The mapping spec: a pydantic model of the YAML a reviewer reads.

Validation here covers everything knowable from the file alone (shape, unknown keys, path and
template syntax, table references, target path clashes); names of transforms and ``python``
functions are resolved by the compiler, since plug-ins may register them after loading.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    Tag,
    field_validator,
    model_validator,
)

from ._paths import parse_path, parse_template

__all__ = ["ConditionSpec", "EachSpec", "FieldSpec", "MappingSpec", "SourceSpec", "SplitSpec"]


def _reject_float(value: Any) -> Any:
    if isinstance(value, float):
        # A YAML 1.5 is a binary float; money and quantities must stay exact.
        raise ValueError("write decimal numbers as quoted text (a float is inexact)")
    return value


Scalar = Annotated[StrictBool | StrictInt | str | None, BeforeValidator(_reject_float)]
"""A literal in a spec: text, whole number, boolean or null; never a float."""

_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
_TARGET_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_PYTHON_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_TARGET = re.compile(r"^(?P<type>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_-]*)+)@(?P<version>[1-9]\d*)$")


def _whole_number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _valid_path(text: str) -> str:
    parse_path(text)
    return text


class ConditionSpec(BaseModel):
    """A test: ``path`` with ``equals``/``in``/``present``, or ``all``/``any``/``not``."""

    model_config = _STRICT

    path: str | None = None
    equals: Scalar = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    present: bool | None = None
    all_: list[ConditionSpec] | None = Field(default=None, alias="all")
    any_: list[ConditionSpec] | None = Field(default=None, alias="any")
    not_: ConditionSpec | None = Field(default=None, alias="not")

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str | None) -> str | None:
        return value if value is None else _valid_path(value)

    @model_validator(mode="after")
    def _one_test(self) -> ConditionSpec:
        tests = [k for k in ("equals", "in_", "present") if k in self.model_fields_set]
        groups = [k for k in ("all_", "any_", "not_") if k in self.model_fields_set]
        if groups:
            if len(groups) > 1 or tests or self.path is not None:
                raise ValueError("give exactly one of all, any, not (without path)")
        elif self.path is None or len(tests) != 1:
            raise ValueError("give a path and exactly one of equals, in, present")
        return self


class FieldSpec(BaseModel):
    """One target value: where it comes from and how it is converted, looked up and checked."""

    model_config = _STRICT

    path: str | None = None
    const: Scalar = None
    format: str | None = None
    python: str | None = None
    index: Literal[True] | None = None
    start: StrictInt = 0
    find: str | None = None
    where: ConditionSpec | None = None
    when: ConditionSpec | None = None
    transform: tuple[str, ...] = ()
    table: str | None = None
    table_default: Scalar = None
    default: Scalar = None
    empty: Literal["keep"] | None = "keep"
    required: bool = False

    @field_validator("path", "find")
    @classmethod
    def _check_path(cls, value: str | None) -> str | None:
        return value if value is None else _valid_path(value)

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str | None) -> str | None:
        if value is not None:
            parse_template(value)
        return value

    @field_validator("python")
    @classmethod
    def _check_python(cls, value: str | None) -> str | None:
        return _valid_python_ref(value)

    @field_validator("transform", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        given = self.model_fields_set
        sources = [k for k in ("path", "const", "format", "python", "index") if k in given]
        if len(sources) != 1:
            raise ValueError("give exactly one of path, const, format, python, index")
        if "start" in given and self.index is None:
            raise ValueError("start only applies to index: true")
        if self.find is not None and sources[0] not in ("path", "format", "python"):
            raise ValueError("find needs path, format or python (read from the found item)")
        if self.where is not None and self.find is None:
            raise ValueError("where on a value needs find (use when for a condition)")
        if self.find is not None and self.where is None:
            raise ValueError("find needs where (which item to pick)")
        if "table_default" in given and self.table is None:
            raise ValueError("table_default needs table")
        return self

    @property
    def has_default(self) -> bool:
        """Whether ``default`` was written (``default: null`` counts)."""
        return "default" in self.model_fields_set

    @property
    def has_table_default(self) -> bool:
        """Whether ``table_default`` was written."""
        return "table_default" in self.model_fields_set


class _ListSource(BaseModel):
    """Where a list of items comes from: the list at path ``each``, or the one a ``python``
    function returns; ``where`` keeps only the items it holds for."""

    model_config = _STRICT

    each: str | None = None
    python: str | None = None
    where: ConditionSpec | None = None

    @field_validator("each")
    @classmethod
    def _check_each(cls, value: str | None) -> str | None:
        return value if value is None else _valid_path(value)

    @field_validator("python")
    @classmethod
    def _check_python(cls, value: str | None) -> str | None:
        return _valid_python_ref(value)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.each is None) == (self.python is None):
            raise ValueError("give exactly one of each (a list path) or python (a function)")
        return self


class EachSpec(_ListSource):
    """A repeated group: one output object per item of the source list at ``each``.

    Or per item of the list a ``python`` function returns from the current node, for items no
    single path reaches (an EDIFACT inventory report's stock per line *and* location).
    """

    fields: dict[str, FieldOrEach] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_targets(value)


def _kind(value: Any) -> str:
    # a value expression never has fields of its own: an object with them is a group
    if isinstance(value, dict) and ("each" in value or "fields" in value):
        return "group"
    return "field"


def _valid_python_ref(value: str | None) -> str | None:
    if value is not None and not _PYTHON_REF.match(value):
        raise ValueError("expected 'package.module:function'")
    return value


FieldOrEach = Annotated[
    Annotated[FieldSpec, Tag("field")] | Annotated[EachSpec, Tag("group")],
    Discriminator(_kind),
]


def _check_targets(fields: dict[str, Any]) -> dict[str, Any]:
    problems = [
        f"target {key!r} is not a dotted name" for key in fields if not _TARGET_KEY.match(key)
    ]
    keys = sorted(fields)
    for index, key in enumerate(keys):
        problems += [
            f"target {key!r} is also an object ({other!r})"
            for other in keys[index + 1 :]
            if other.startswith(key + ".")
        ]
    if problems:
        raise ValueError("; ".join(problems))
    return fields


class SourceSpec(BaseModel):
    """Which parsed input a spec reads: the connector format and, optionally, the message kind."""

    model_config = _STRICT

    format: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    # X12 transaction sets are numbers (850); reviewers should not have to quote them.
    message: Annotated[str | None, BeforeValidator(_whole_number_as_text)] = None


class SplitSpec(_ListSource):
    """One event per item of a list in the message (an X12 846 LIN loop, a POSLog line item).

    ``each`` names the list; ``python`` instead names a function that returns it from the
    message (one item per line and location, say), each item read like a list item.
    """


class MappingSpec(BaseModel):
    """A whole mapping spec file (see the package docs for the format)."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: StrictInt = Field(ge=1)
    description: str = ""
    source: SourceSpec
    target: str
    tables: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][\w-]*$")], dict[str, Scalar]] = {}
    #: when given, ``fields`` are read once per item of this list (relative to the item)
    split: SplitSpec | None = None
    fields: dict[str, FieldOrEach] = Field(min_length=1)

    _file: Path | None = PrivateAttr(default=None)

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_targets(value)

    @field_validator("target")
    @classmethod
    def _check_target(cls, value: str) -> str:
        if not _TARGET.match(value):
            raise ValueError("expected '<event type>@<version>', e.g. 'retail.order.created@2'")
        return value

    @model_validator(mode="after")
    def _tables_exist(self) -> MappingSpec:
        missing = [
            f"{where}: unknown table {field.table!r}"
            for where, field in _walk(self.fields, "fields")
            if field.table is not None and field.table not in self.tables
        ]
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @property
    def target_type(self) -> str:
        """The event type of ``target`` (``retail.order.created``)."""
        return self.target.rpartition("@")[0]

    @property
    def target_version(self) -> int:
        """The event version of ``target``."""
        return int(self.target.rpartition("@")[2])

    @property
    def file(self) -> Path | None:
        """The file the spec was loaded from, when it came from :func:`load_spec`."""
        return self._file


def _walk(fields: dict[str, FieldSpec | EachSpec], where: str) -> list[tuple[str, FieldSpec]]:
    found: list[tuple[str, FieldSpec]] = []
    for key, field in fields.items():
        if isinstance(field, EachSpec):
            found += _walk(field.fields, f"{where}.{key}.fields")
        else:
            found.append((f"{where}.{key}", field))
    return found


EachSpec.model_rebuild()
MappingSpec.model_rebuild()
