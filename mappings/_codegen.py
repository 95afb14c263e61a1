"""Turn a :class:`MappingSpec` into Python source, twice over.

Interpreting a spec per document costs 10–150× a hand-written function, so the spec is compiled
into straight-line Python. Two functions come out of one generator so that they cannot disagree:

* ``_map`` (fast): reads with plain subscripts and ``.get``, calls transforms directly and keeps
  no bookkeeping. Any exception at all sends the document to…
* ``_map_checked`` (checked): the same steps, reading through :func:`read_path` and recording the
  target field, source location and raw value before each step, so a failure becomes a precise
  :class:`MappingError`. Documents the fast path declines for a harmless reason (an optional
  element past the end of a segment, say) come out of it with the same result.

The happy path therefore pays for one ``try`` block, not for locating errors.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from . import transforms
from ._errors import MISSING, SpecError
from ._paths import SourcePath, as_items, parse_path, parse_template, read_path
from ._spec import ConditionSpec, EachSpec, FieldSpec, MappingSpec
from .transforms import get_transform

__all__ = ["Generated", "generate"]

Mode = Literal["fast", "checked"]
_INLINE = (str, int, bool, type(None))
_ANCHOR_PREFIX = re.compile(r"^(?:\$root|\$parent)(?:\.\$parent)*\.?")


class Retry(Exception):
    """Raised by the fast path to hand a document to the checked path."""


class _NotColumnar(Exception):
    """The spec reads more than flat named columns: no row function is generated for it."""


@dataclass(frozen=True)
class _Scope:
    """Where generated code stands: the node variable and how to name locations for errors."""

    node: str
    source: str  # Python expression: source path of ``node`` ('' at the root)
    target: str  # Python expression: target path of the object being built ('' at the root)
    index: str | None = None
    parent: _Scope | None = None
    is_list: bool = False  # fast mode: ``node`` was checked to be a list, index it directly


@dataclass
class _Leaf:
    var: str
    counted: str | None  # expression true when the leaf carries a source value; None: not counted


_Tree = dict[str, "_Leaf | _Tree"]


@dataclass
class Generated:
    """The generated module source and the names its code refers to."""

    source: str
    namespace: dict[str, Any]


@dataclass
class _Generator:
    spec: MappingSpec
    mode: Mode
    namespace: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    prelude: list[str] = field(default_factory=list)
    hoisted: dict[tuple[Any, bool], str] = field(default_factory=dict)
    counter: int = 0
    _interned: dict[tuple[str, Any], str] = field(default_factory=dict)
    #: column name → index: generate reads of a row given as a list of fields (see ``generate``)
    columns: dict[str, int] | None = None

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def checked(self) -> bool:
        return self.mode == "checked"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def name_for(self, kind: str, key: Any, value: Any) -> str:
        """A module-level name for ``value``, shared by both generated functions."""
        found = self._interned.get((kind, key))
        if found is None:
            found = f"_{kind}_{len(self.namespace)}"
            self.namespace[found] = value
            self._interned[(kind, key)] = found
        return found

    def literal(self, value: Any) -> str:
        if type(value) in _INLINE:
            return repr(value)
        return self.name_for("c", (type(value).__name__, repr(value)), value)

    @contextmanager
    def buffered(self) -> Iterator[list[str]]:
        outer, self.lines = self.lines, []
        try:
            yield self.lines
        finally:
            self.lines = outer

    def fail(self, where: str, problem: str) -> SpecError:
        return SpecError(f"mapping {self.spec.id}@{self.spec.version}", [f"{where}: {problem}"])

    # -- reading the source ---------------------------------------------------------------------

    def base(self, path: SourcePath, scope: _Scope, where: str) -> tuple[str, str]:
        """The variable a path starts from and the source-path expression naming it."""
        if path.anchor == "root":
            return "rec", "''"
        if path.anchor == "index":
            if scope.index is None:
                raise self.fail(where, "$index outside an each group")
            return scope.index, "'$index'"
        start = scope
        for _ in range(path.up):
            if start.parent is None:
                raise self.fail(where, f"{path.text!r} goes above the document root")
            start = start.parent
        return start.node, start.source

    def access(self, path: SourcePath, scope: _Scope, where: str, *, required: bool) -> str:
        """An expression reading ``path``; in fast mode absent-and-required values raise."""
        node, _ = self.base(path, scope, where)
        if self.columns is not None:
            return self.column(path, node, required=required)
        if not path.steps:
            return node
        if self.checked:
            return f"_read({node}, {path.steps!r})"
        if path.anchor == "root" and scope.parent is not None:
            # Loop-invariant: read once per document, not once per item. An early failure
            # only sends the document to the checked path, which reads it in place.
            key = (path.steps, required)
            hoisted = self.hoisted.get(key)
            if hoisted is None:
                hoisted = self.hoisted[key] = self.fresh("_r")
                self.prelude.append(
                    f"{hoisted} = {self.access(path, _ROOT, where, required=required)}"
                )
            return hoisted
        expr = node
        last = len(path.steps) - 1
        for position, step in enumerate(path.steps):
            if isinstance(step, str):
                expr = f"{expr}[{step!r}]" if required else f"{expr}.get({step!r})"
            elif position == last and not required and position == 0 and scope.is_list:
                expr = f"({expr}[{step}] if len({expr}) > {step} else None)"
            elif position == last and not required:
                # Trailing optional elements are routinely omitted in X12/EDIFACT segments:
                # check the length rather than fall back to the checked path for each one.
                tmp = self.fresh("_t")
                fits = f"len({tmp}) > {step}" if step >= 0 else f"len({tmp}) >= {-step}"
                expr = (
                    f"({tmp}[{step}] if ({tmp} := {expr}).__class__ is list and {fits}"
                    f" else _read({tmp}, ({step},)))"
                )
            elif position == 0 and path.anchor == "node" and scope.is_list:
                expr = f"{expr}[{step}]"
            else:
                # Indexing a str would silently yield one character; only lists are indexed here.
                tmp = self.fresh("_t")
                expr = f"({tmp} if ({tmp} := {expr}).__class__ is list else None)[{step}]"
        return expr

    def reads_present_column(self, spec: FieldSpec) -> bool:
        """Whether ``spec`` reads a column this row function has: its raw value is never None."""
        if self.columns is None or spec.path is None:
            return False
        steps = parse_path(spec.path).steps
        return len(steps) == 1 and steps[0] in self.columns

    def column(self, path: SourcePath, node: str, *, required: bool) -> str:
        """A read of one named column from a row given as a list (``rec[3]``)."""
        assert self.columns is not None
        step = path.steps[0] if len(path.steps) == 1 else None
        if node != "rec" or not isinstance(step, str):
            raise _NotColumnar(path.text)
        index = self.columns.get(step)
        if index is not None:
            return f"rec[{index}]"
        if required:
            # every row would fail: the dict path's checked errors say why
            raise _NotColumnar(path.text)
        return "None"

    def source_name(self, path: SourcePath, scope: _Scope, where: str) -> str:
        """A Python expression giving the human-readable source location of ``path``."""
        _, prefix = self.base(path, scope, where)
        relative = _ANCHOR_PREFIX.sub("", path.text) if path.anchor != "node" else path.text
        if path.anchor == "index" or not relative:
            return prefix
        if prefix == "''":
            return repr(relative)
        joiner = "" if relative.startswith("[") else "."
        return f"{prefix} + {joiner + relative!r}"

    def condition(self, test: ConditionSpec, scope: _Scope, where: str) -> str:
        if test.all_ is not None:
            return "(" + " and ".join(self.condition(t, scope, where) for t in test.all_) + ")"
        if test.any_ is not None:
            return "(" + " or ".join(self.condition(t, scope, where) for t in test.any_) + ")"
        if test.not_ is not None:
            return f"(not {self.condition(test.not_, scope, where)})"
        assert test.path is not None  # guaranteed by ConditionSpec validation
        value = self.access(parse_path(test.path), scope, where, required=False)
        if "equals" in test.model_fields_set:
            return f"({value} == {self.literal(test.equals)})"
        if test.in_ is not None:
            choices = tuple(test.in_)
            return f"({value} in {self.name_for('in', choices, choices)})"
        blank = f"({value} in _BLANK)"
        return f"(not {blank})" if test.present else blank

    # -- values ---------------------------------------------------------------------------------

    def constant(self, spec: FieldSpec, value: Any, where: str) -> Any:
        """Run a ``const`` or ``default`` through the field's transforms once, at compile time."""
        try:
            for name in spec.transform:
                if value is not None:
                    value = get_transform(name)(value)
        except (KeyError, ValueError) as error:
            raise self.fail(where, str(error).strip("'\"")) from None
        return value

    def function(self, reference: str | None, where: str) -> str:
        """The name bound to the ``package.module:function`` a spec names."""
        assert reference is not None
        module_name, _, attribute = reference.partition(":")
        try:
            target = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            raise self.fail(where, f"cannot import {reference!r}: {error}") from None
        if not callable(target):
            raise self.fail(where, f"{reference!r} is not callable")
        return self.name_for("py", reference, target)

    def call(self, name: str, var: str, where: str, *, text: bool = False) -> str:
        """The expression applying transform ``name`` to ``var`` (known to be a str: ``text``)."""
        function = self.transform_name(name, where)
        method = _METHODS.get(name)
        if not self.checked and method is not None and self.namespace[function] is method[0]:
            # A str method in place of the call: same result for text; anything else raises
            # in the fast path and gets the transform's own error in the checked path.
            return f"{var}.{method[1]}()"
        text_form = transforms.TEXT_FORMS.get(self.namespace[function]) if text else None
        if not self.checked and text_form is not None:
            # the transform's own code for text, without its dispatch on the value's type
            return f"{self.name_for('tx', name, text_form)}({var})"
        return f"{function}({var})"

    def transform_name(self, name: str, where: str) -> str:
        try:
            function = get_transform(name)
        except KeyError as error:
            raise self.fail(where, str(error.args[0])) from None
        return self.name_for("tr", name, function)

    def leaf(self, spec: FieldSpec, key: str, scope: _Scope, indent: int) -> _Leaf:
        where = f"fields.{key}" if scope.parent is None else f"{key} (in each)"
        var = self.fresh("_v")
        given = spec.model_fields_set
        if self.checked:
            self.emit(indent, f"_cf = {_join(scope.target, key)}; _cs = None; _cr = _MISSING")
        if "const" in given:
            value = self.constant(spec, spec.const, where)
            if spec.table is not None and value is not None:
                table = self.spec.tables[spec.table]
                if value not in table:
                    raise self.fail(where, f"const {value!r} is not in table {spec.table!r}")
                value = table[value]
            self.emit(indent, f"{var} = {self.literal(value)}")
            return _Leaf(var, None)
        if spec.index:
            if scope.index is None:
                raise self.fail(where, "index: true outside an each group")
            self.emit(indent, f"{var} = {scope.index} + {spec.start}")
            return _Leaf(var, None)

        # Only nested objects can be omitted, so only their defaulted leaves need a presence flag.
        flag = self.fresh("_p") if spec.has_default and "." in key else None
        body = indent
        if spec.when is not None:
            self.emit(indent, f"if {self.condition(spec.when, scope, where)}:")
            body += 1
        read_scope, found = scope, None
        if spec.find is not None:
            read_scope, found = self.find(spec, scope, where, body)
            self.emit(body, f"if {found} is not None:")
            body += 1
        self.read(spec, var, read_scope, where, body)
        if found is not None:
            body -= 1
            self.emit(body, "else:")
            self.emit(body + 1, f"{var} = None")
        self.finish(spec, var, flag, where, body)
        if spec.when is not None:
            self.emit(indent, "else:")
            self.emit(indent + 1, f"{var} = None" + (f"; {flag} = False" if flag else ""))
        if flag is not None:
            return _Leaf(var, flag)
        if spec.required and spec.when is None:
            return _Leaf(var, "True")
        return _Leaf(var, f"{var} is not None")

    def find(self, spec: FieldSpec, scope: _Scope, where: str, indent: int) -> tuple[_Scope, str]:
        """Emit a search for the first item of ``find`` matching ``where``."""
        assert spec.find is not None
        assert spec.where is not None
        path = parse_path(spec.find)
        found, items, item, position = (self.fresh(p) for p in ("_f", "_s", "_i", "_k"))
        self.emit(indent, f"{found} = None")
        self.emit(indent, f"{items} = {self.access(path, scope, where, required=False)}")
        self.emit(indent, f"if {items}.__class__ is not list: {items} = _as_items({items})")
        if self.checked:
            self.emit(indent, f"for {position}, {item} in enumerate({items}):")
        else:
            self.emit(indent, f"for {item} in {items}:")
        item_scope = _Scope(
            node=item,
            source=f"{self.source_name(path, scope, where)} + '[' + str({position}) + ']'",
            target=scope.target,
            index=scope.index,
            parent=scope.parent,
        )
        self.emit(indent + 1, f"if {self.condition(spec.where, item_scope, where)}:")
        self.emit(indent + 2, f"{found} = {item}")
        if self.checked:
            self.emit(indent + 2, f"{found}_at = {item_scope.source}")
        self.emit(indent + 2, "break")
        source = f"{found}_at" if self.checked else "''"
        return _Scope(found, source, scope.target, scope.index, scope.parent), found

    def read(self, spec: FieldSpec, var: str, scope: _Scope, where: str, indent: int) -> None:
        """Emit: read the raw source value, transform it, look it up in its table."""
        self.read_raw(spec, var, scope, where, indent)
        if self.checked:
            self.emit(indent, f"_cr = {var}")
        if spec.transform:
            # a row function's column is text, and so is what a text built-in returns
            text = self.reads_present_column(spec)
            calls = []
            for name in spec.transform:
                calls.append(self.call(name, var, where, text=text))
                text = self.namespace[self.transform_name(name, where)] in _TEXT_BUILTINS
            # Built-in transforms raise on None, which for a required value in the fast path
            # just means "let the checked path report it": the None test can go.
            guarded = not self.reads_present_column(spec) and (
                self.checked
                or not spec.required
                or not all(
                    self.namespace[self.transform_name(name, where)] in _BUILTINS
                    for name in spec.transform
                )
            )
            if guarded:
                self.emit(indent, f"if {var} is not None:")
            for call in calls:
                self.emit(indent + guarded, f"{var} = {call}")
        if spec.table is not None:
            self.lookup(spec, var, where, indent)

    def read_raw(self, spec: FieldSpec, var: str, scope: _Scope, where: str, indent: int) -> None:
        """Emit: the raw value of ``path``, ``format`` or ``python`` into ``var``."""
        if spec.path is not None:
            path = parse_path(spec.path)
            if self.checked:
                self.emit(indent, f"_cs = {self.source_name(path, scope, where)}")
            self.emit(indent, f"{var} = {self.access(path, scope, where, required=spec.required)}")
        elif spec.format is not None:
            parts = parse_template(spec.format)
            pieces = [p for p in parts if isinstance(p, SourcePath)]
            names = [self.fresh("_x") for _ in pieces]
            if self.checked:
                self.emit(indent, f"_cs = {_join_raw(scope.source, spec.format)}")
            for name, piece in zip(names, pieces, strict=True):
                self.emit(indent, f"{name} = {self.access(piece, scope, where, required=False)}")
            template = "".join(p.replace("%", "%%") if isinstance(p, str) else "%s" for p in parts)
            absent = " or ".join(f"{n} is None" for n in names)
            self.emit(indent, f"{var} = None if {absent} else {template!r} % ({', '.join(names)},)")
        else:
            if self.checked:
                self.emit(indent, f"_cs = {scope.source} or '(document)'")
            self.emit(indent, f"{var} = {self.function(spec.python, where)}({scope.node})")

    def lookup(self, spec: FieldSpec, var: str, where: str, indent: int) -> None:
        """Emit: replace the code in ``var`` by its value in the field's table."""
        assert spec.table is not None
        table_values = self.spec.tables[spec.table]
        table = self.name_for("tab", spec.table, table_values)
        self.emit(indent, f'if {var} is not None and {var} != "":')
        if spec.has_table_default or spec.has_default:
            fallback = spec.table_default if spec.has_table_default else spec.default
            fallback = (
                self.constant(spec, fallback, where) if not spec.has_table_default else fallback
            )
            self.emit(indent + 1, f"{var} = {table}.get({var}, {self.literal(fallback)})")
        elif self.checked:
            self.emit(indent + 1, f"{var} = _lookup({table}, {spec.table!r}, {var})")
        else:
            self.emit(indent + 1, f"{var} = {table}[{var}]")

    def result_kind(self, spec: FieldSpec, where: str) -> Literal["text", "value"] | None:
        """What a fast-path field holds after its transforms, when a built-in fixes it.

        ``text``: str or None; ``value``: a non-text value or None; None: anything (no
        transform, a table, a ``python:`` function, or the checked path, which stays generic).
        """
        if self.checked or spec.table is not None or not spec.transform:
            return None
        last = self.namespace[self.transform_name(spec.transform[-1], where)]
        if last in _TEXT_BUILTINS:
            return "text"
        if last in _BUILTINS:
            return "value"
        return None

    def finish(self, spec: FieldSpec, var: str, flag: str | None, where: str, indent: int) -> None:
        """Emit: default for absent values, the required check, ``empty: null``."""
        # isinstance, not == "": comparing a Decimal with a str goes through the numbers ABCs
        # (~0.15 µs a field), and only text can be empty
        empty = f"isinstance({var}, str) and not {var}"
        absent = f"{var} is None or {empty}"
        kind = self.result_kind(spec, where)
        if kind == "text":  # str or None: falsy exactly when absent or empty
            empty = absent = f"not {var}"
        elif kind == "value":  # never text, so never empty; 0 and False are values
            absent = f"{var} is None"
            if spec.empty is None and not spec.has_default and not spec.required:
                return
        if spec.has_default:
            default = self.constant(spec, spec.default, where)
            if flag is None:
                self.emit(indent, f"if {absent}:")
                self.emit(indent + 1, f"{var} = {self.literal(default)}")
                return
            self.emit(indent, f"if {absent}:")
            self.emit(indent + 1, f"{var} = {self.literal(default)}; {flag} = False")
            self.emit(indent, "else:")
            self.emit(indent + 1, f"{flag} = True")
        elif spec.required:
            self.emit(indent, f"if {absent}:")
            self.emit(indent + 1, f"raise _absent({var})" if self.checked else "raise _Retry")
        elif spec.empty is None:
            self.emit(indent, f"if {empty}:")
            self.emit(indent + 1, f"{var} = None")

    # -- objects and groups ---------------------------------------------------------------------

    def group(self, spec: EachSpec, key: str, scope: _Scope, indent: int) -> _Leaf:
        where = f"fields.{key}" if scope.parent is None else f"{key} (in each)"
        result, items, item, position, count = (
            self.fresh(p) for p in ("_l", "_s", "_i", "_k", "_n")
        )
        if spec.each is not None:
            path = parse_path(spec.each)
            if path.anchor == "index":
                raise self.fail(where, "each cannot iterate $index")
            source = self.source_name(path, scope, where)
            read = self.access(path, scope, where, required=False)
        else:  # the items a function gives: errors name it as their source list
            source = repr(f"{spec.python}()")
            read = f"{self.function(spec.python, where)}({scope.node})"
        target = _join(scope.target, key)
        self.emit(indent, f"{result} = []")
        if self.checked:
            self.emit(indent, f"_cf = {target}; _cs = {source}; _cr = _MISSING")
        self.emit(indent, f"{items} = {read}")
        self.emit(indent, f"if {items}.__class__ is not list: {items} = _as_items({items})")
        item_scope = _Scope(
            node=item,
            source=f"{source} + '[' + str({position}) + ']'",
            target=f"{target} + '[' + str({count}) + ']'",
            index=count,
            parent=scope,
        )
        with self.buffered() as body:
            if not self.checked and _indexes_items(spec):
                # Checked once per item instead of at every position read from it.
                self.emit(indent + 1, f"if {item}.__class__ is not list:")
                self.emit(indent + 2, "raise _Retry")
                item_scope = replace(item_scope, is_list=True)
            if spec.where is not None:
                if self.checked:
                    self.emit(
                        indent + 1, f"_cf = {target}; _cs = {item_scope.source}; _cr = _MISSING"
                    )
                self.emit(indent + 1, f"if not {self.condition(spec.where, item_scope, where)}:")
                self.emit(indent + 2, "continue")
            obj = self.object(spec.fields, item_scope, indent + 1)
            self.emit(indent + 1, f"{result}.append({obj})")
        # The output position costs a little per item; pay it only where something reads it.
        counted = any(re.search(rf"\b{count}\b", line) for line in body)
        if self.checked:
            self.emit(indent, f"for {position}, {item} in enumerate({items}):")
        elif counted and spec.where is None:
            self.emit(indent, f"for {count}, {item} in enumerate({items}):")
            counted = False
        else:
            self.emit(indent, f"for {item} in {items}:")
        if counted:
            # Before the where-test is fine: len() counts the kept items either way.
            body.insert(0, "    " * (indent + 1) + f"{count} = len({result})")
        self.lines.extend(body)
        return _Leaf(result, "True")

    def object(self, fields: dict[str, FieldSpec | EachSpec], scope: _Scope, indent: int) -> str:
        """Emit every field of one output object; return the expression of the object."""
        tree: _Tree = {}
        for key, spec in fields.items():
            if isinstance(spec, EachSpec):
                leaf = self.group(spec, key, scope, indent)
            else:
                leaf = self.leaf(spec, key, scope, indent)
            node = tree
            *parents, name = key.split(".")
            for part in parents:
                child = node.setdefault(part, {})
                assert isinstance(child, dict)  # target clashes are rejected when loading
                node = child
            node[name] = leaf
        expression, _ = self.build(tree, indent, top=True)
        return expression

    def build(self, tree: _Tree, indent: int, *, top: bool) -> tuple[str, bool]:
        """Emit the dict for ``tree``; nested objects with no source value anywhere are omitted.

        Returns the expression and whether it may be ``None`` (an omitted object).
        """
        terms = list(dict.fromkeys(_terms(tree)))
        omittable = not top and bool(terms) and "True" not in terms
        inner = indent
        if omittable:
            self.emit(indent, f"if {' or '.join(terms)}:")
            inner += 1
        entries: list[str] = []
        optional: list[tuple[str, str]] = []
        for name, child in tree.items():
            if isinstance(child, _Leaf):
                entries.append(f"{name!r}: {child.var}")
                continue
            expression, may_be_none = self.build(child, inner, top=False)
            entries.append(f"{name!r}: {expression}")
            if may_be_none:
                optional.append((name, expression))
        literal = "{" + ", ".join(entries) + "}"
        if not omittable and not optional and not top:
            return literal, False
        var = self.fresh("_o")
        self.emit(inner, f"{var} = {literal}")
        for name, expression in optional:
            self.emit(inner, f"if {expression} is None:")
            self.emit(inner + 1, f"del {var}[{name!r}]")
        if omittable:
            self.emit(indent, "else:")
            self.emit(indent + 1, f"{var} = None")
        return var, omittable


_ROOT = _Scope(node="rec", source="''", target="''")
_BUILTINS = frozenset(
    (
        transforms.strip,
        transforms.upper,
        transforms.lower,
        transforms.to_str,
        transforms.to_decimal,
        transforms.to_decimal_comma,
        transforms.to_int,
        transforms.to_bool,
        transforms.to_date,
        transforms.to_datetime,
    )
)
#: built-ins whose result is str (or None for None, where they are guarded)
_TEXT_BUILTINS = frozenset(
    (transforms.strip, transforms.upper, transforms.lower, transforms.to_str)
)
_METHODS = {
    "strip": (transforms.strip, "strip"),
    "upper": (transforms.upper, "upper"),
    "lower": (transforms.lower, "lower"),
}


def _relative_paths(spec: EachSpec) -> Iterator[SourcePath]:
    tests = [spec.where] if spec.where is not None else []
    for field_spec in spec.fields.values():
        if isinstance(field_spec, EachSpec):
            if field_spec.each is not None:  # a function's items are not read from this one
                yield parse_path(field_spec.each)
            continue
        if field_spec.find is not None:
            # path (and where) then read the found item, not this one
            yield parse_path(field_spec.find)
        elif field_spec.path is not None:
            yield parse_path(field_spec.path)
        if field_spec.format is not None and field_spec.find is None:
            yield from (p for p in parse_template(field_spec.format) if isinstance(p, SourcePath))
        if field_spec.when is not None:
            tests.append(field_spec.when)
    while tests:
        test = tests.pop()
        if test.path is not None:
            yield parse_path(test.path)
        tests += test.all_ or []
        tests += test.any_ or []
        tests += [test.not_] if test.not_ is not None else []


def _indexes_items(spec: EachSpec) -> bool:
    """Whether fields read items of ``spec`` by position (X12/EDIFACT segments as lists)."""
    return any(
        path.anchor == "node" and path.steps and isinstance(path.steps[0], int)
        for path in _relative_paths(spec)
    )


def _terms(tree: _Tree) -> Iterator[str]:
    for child in tree.values():
        if isinstance(child, _Leaf):
            if child.counted is not None:
                yield child.counted
        else:
            yield from _terms(child)


def _join(prefix: str, key: str) -> str:
    return repr(key) if prefix == "''" else f"{prefix} + {'.' + key!r}"


def _join_raw(prefix: str, text: str) -> str:
    return repr(text) if prefix == "''" else f"{prefix} + {'.' + text!r}"


def _lookup(table: dict[str, Any], name: str, code: Any) -> Any:
    try:
        return table[code]
    except (KeyError, TypeError):
        raise ValueError(f"code {code!r} is not in table {name!r}") from None


def _absent(value: Any) -> ValueError:
    return ValueError("required value is missing" if value is None else "required value is empty")


def _failure(spec: MappingSpec) -> Callable[[Any, Any, Any, BaseException], Exception]:
    from ._errors import MappingError

    def fail(field: Any, source: Any, raw: Any, error: BaseException) -> Exception:
        reason = str(error) if type(error) is ValueError else f"{type(error).__name__}: {error}"
        return MappingError(
            spec_id=spec.id,
            spec_version=spec.version,
            field=field,
            source_path=source,
            value=raw,
            reason=reason,
        )

    return fail


SPLIT_KEY = "events"
"""The one output key of a split spec's generated code: the list of per-item event data."""


def split_fields(spec: MappingSpec) -> dict[str, FieldSpec | EachSpec]:
    """The fields to generate: a split spec is an ``each`` group over its split list.

    Generating the split as a group reuses its paths (``$root``, ``$parent``), ``where`` and
    error locations (``events[2].sku from LIN[3].2``) instead of a second code path.
    """
    if spec.split is None:
        return dict(spec.fields)
    group = EachSpec.model_construct(
        each=spec.split.each,
        python=spec.split.python,
        where=spec.split.where,
        fields=dict(spec.fields),
    )
    return {SPLIT_KEY: group}


def generate(spec: MappingSpec, columns: Sequence[str] | None = None) -> Generated:
    """Generate the module source for ``spec``; ``SpecError`` for unresolvable names.

    With ``columns`` (a CSV header's names, each once), the module also defines ``_map_row``:
    ``_map`` for a row given as the list of its fields in that order, which spares a dict per
    row on the bulk path. It is left out for specs that read anything but flat named columns.
    """
    from ._errors import MappingError

    namespace: dict[str, Any] = {
        "_read": read_path,
        "_as_items": as_items,
        "_lookup": _lookup,
        "_absent": _absent,
        "_fail": _failure(spec),
        "_Retry": Retry,
        "_MappingError": MappingError,
        "_MISSING": MISSING,
        "_BLANK": (None, ""),
        "_fallbacks": [0],
    }
    root = _ROOT
    fields = split_fields(spec)
    fast = _Generator(spec, "fast", namespace)
    fast_result = fast.object(fields, root, 2)
    checked = _Generator(spec, "checked", namespace, _interned=fast._interned)
    checked.counter = fast.counter
    checked_result = checked.object(fields, root, 2)
    row_lines = _row_function(spec, namespace, fields, checked.counter, fast._interned, columns)
    header = [
        f"# Generated from mapping spec {spec.id}@{spec.version} ({spec.target}). Do not edit:",
        "# change the spec. _map is the fast path; _map_checked locates errors.",
        "",
        "def _map_checked(rec):",
        "    _cf = _cs = None; _cr = _MISSING",
        "    try:",
        *checked.lines,
        f"        return {checked_result}",
        "    except _MappingError:",
        "        raise",
        "    except Exception as _e:",
        "        raise _fail(_cf, _cs, _cr, _e) from _e",
        "",
        "",
        "def _map(rec):",
        "    try:",
        *("        " + line for line in fast.prelude),
        *fast.lines,
        f"        return {fast_result}",
        "    except Exception:",
        "        _fallbacks[0] += 1",
        "        return _map_checked(rec)",
        "",
        *row_lines,
    ]
    return Generated("\n".join(header), namespace)


def _row_function(  # noqa: PLR0917 - the generator state generate() shares
    spec: MappingSpec,
    namespace: dict[str, Any],
    fields: dict[str, FieldSpec | EachSpec],
    counter: int,
    interned: dict[tuple[str, Any], str],
    columns: Sequence[str] | None,
) -> list[str]:
    """The source of ``_map_row`` (see :func:`generate`), or no lines when there is none."""
    if columns is None or len(set(columns)) != len(columns):
        return []
    row = _Generator(
        spec,
        "fast",
        namespace,
        _interned=interned,
        columns={name: index for index, name in enumerate(columns)},
    )
    row.counter = counter
    try:
        result = row.object(fields, _ROOT, 2)
    except _NotColumnar:
        return []
    namespace["_names"] = tuple(columns)
    return [
        "",
        "def _map_row(rec):",
        "    try:",
        *row.lines,
        f"        return {result}",
        "    except Exception:",
        "        _fallbacks[0] += 1",
        "        return _map_checked(dict(zip(_names, rec, strict=True)))",
        "",
    ]
