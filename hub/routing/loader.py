"""Loading and checking ``routing.yaml``: every problem at once, each with its file and line.

The bundled default (``hub/routing/routing.yaml``) ships inside the package, so an installed hub
has working rules without a checkout; operators point ``--rules`` or
``CROSSDOCK_ROUTING_RULES`` at their own copy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hub.routing.classifier import Classifier
from hub.routing.engine import RoutingEngine
from hub.routing.errors import RuleProblem, RulesError
from hub.routing.rules import RulesFile

__all__ = ["DEFAULT_RULES", "load_engine", "load_rules", "rules_path"]

DEFAULT_RULES = "routing.yaml"
"""Name of the bundled rules file inside the ``hub.routing`` package."""


def rules_path(path: Path | None = None) -> Path:
    """``path``, else ``$CROSSDOCK_ROUTING_RULES``, else the bundled default."""
    if path is not None:
        return path
    env = os.environ.get("CROSSDOCK_ROUTING_RULES")
    if env:
        return Path(env)
    return Path(str(files("hub.routing").joinpath(DEFAULT_RULES)))


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    """Map each path in the YAML document to its 1-based line."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value
            out[(*path, name)] = key.start_mark.line + 1
            _lines(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _line_of(lines: Mapping[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    # pydantic adds union tags (e.g. ``webhook``) to locations: drop parts until one is known
    loc = tuple(p for p in loc if p in lines or isinstance(p, int | str))
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def load_rules(path: Path | None = None) -> RulesFile:
    """Read and validate a rules file; RulesError listing every problem with its line."""
    path = rules_path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError([RuleProblem(name, None, "(file)", f"cannot read: {exc}")]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RulesError([RuleProblem(name, line, "(yaml)", str(exc))]) from exc
    if not isinstance(raw, dict) or node is None:
        raise RulesError([RuleProblem(name, 1, "(file)", "the top level must be a mapping")])
    lines: dict[tuple[Any, ...], int] = {}
    _lines(node, (), lines)
    try:
        return RulesFile.model_validate(raw)
    except ValidationError as exc:
        problems = [
            RuleProblem(
                name,
                _line_of(lines, tuple(err["loc"])),
                ".".join(str(p) for p in err["loc"]) or "(file)",
                err["msg"],
            )
            for err in exc.errors(include_url=False)
        ]
        raise RulesError(problems) from exc


def load_engine(
    path: Path | None = None, *, classifiers: Mapping[str, Classifier] | None = None
) -> RoutingEngine:
    """Load, validate and compile a rules file (RulesError on any problem)."""
    path = rules_path(path)
    rules = load_rules(path)
    try:
        return RoutingEngine(rules, source=str(path), classifiers=classifiers)
    except RulesError as exc:
        # The engine knows the rule index; find the rule's line in the file for each problem.
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            _lines(node, (), lines)
        fixed = []
        for p in exc.problems:
            head = p.field.split(" ", 1)[0].split(".", 1)[0]
            section, _, index = head.partition("[")
            loc: tuple[Any, ...] = (section, int(index.rstrip("]"))) if index else (section,)
            fixed.append(RuleProblem(p.file, _line_of(lines, loc), p.field, p.why))
        raise RulesError(fixed) from exc
