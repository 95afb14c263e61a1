"""Reading spec files: a stricter YAML dialect and error messages that name file and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._errors import SpecError
from ._spec import MappingSpec

__all__ = ["load_spec"]


class _SpecLoader(yaml.SafeLoader):
    """YAML without the 1.1 surprises that corrupt code tables.

    Plain YAML turns ``NO`` (Norway) and ``on`` into booleans, ``012`` into 10, ``12:30`` into
    750 and ``2024-05-01`` into a date. In specs only ``true``/``false`` are booleans, only plain
    decimal digits are integers and dates stay text; duplicate keys are errors, not last-wins.
    """


_REPLACED = {f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")}
_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _construct_mapping(loader: _SpecLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_SpecLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)

_TAGS = {"field", "group"}


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    skip = -1
    for position, item in enumerate(loc):
        if position == skip:
            continue
        if item == "fields" and position + 2 < len(loc) and loc[position + 2] in _TAGS:
            skip = position + 2
        parts.append(f"[{item}]" if isinstance(item, int) else str(item))
    return ".".join(parts).replace(".[", "[") or "(top level)"


def _describe(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return f"{_location(error['loc'])}: unknown key"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{_location(error['loc'])}: {message}"


def load_spec(path: Path) -> MappingSpec:
    """Read and validate one spec file; ``SpecError`` names the file and every invalid field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(str(path), [f"cannot read: {error.strerror or error}"]) from error
    try:
        data = yaml.load(text, Loader=_SpecLoader)
    except yaml.YAMLError as error:
        raise SpecError(str(path), [f"invalid YAML: {error}"]) from error
    if not isinstance(data, dict):
        raise SpecError(str(path), ["expected a mapping at the top level"])
    try:
        spec = MappingSpec.model_validate(data)
    except ValidationError as error:
        problems = [_describe(item) for item in error.errors()]
        raise SpecError(str(path), problems) from None
    spec._file = path
    return spec
