"""CEL expressions of a plain subset, evaluated in Python on the context's Python values.

Handing an event's values to the CEL binding costs a few microseconds a value (a stock count's
context, ~30 µs, was more than evaluating all its rules' expressions), and most rules read
fields, compare numbers, join strings and combine with ``&&``/``||``. Such an expression is
lowered here to Python closures over the same values the CEL context is built from, so an event
whose expressions all lower needs no CEL context at all.

CEL stays the authority: whatever the subset does not cover is not lowered (function calls
other than ``has``, indexing, lists, maps, ``in``, ``/`` and ``%``, escapes in strings, unsigned
or hex literals), and a lowered expression gives up (:class:`Unsupported`) whenever its values
leave what it mirrors exactly (a missing field, a non-bool operand of ``&&``, int mixed with
double in arithmetic, an int overflow, a map or a timestamp as the result…): the caller then
evaluates it with CEL, which gives the value or the error it always gave. Equality is CEL's
heterogeneous one (numbers by value, other types unequal), ordering only within one type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = ["Native", "Unsupported", "lower", "lower_rule"]

Native = Callable[[Mapping[str, Any]], Any]
"""A lowered expression: the variables (Python values, as for CEL) → its value."""

_INT64 = (-(2**63), 2**63 - 1)


class Unsupported(Exception):
    """The lowered expression cannot mirror CEL on these values: evaluate with CEL instead."""


class _NotLowered(Exception):
    """The expression is outside the subset."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<float>\d+\.\d+(?:[eE][+-]?\d+)?(?![\w.]))
     |(?P<int>\d+(?![\w.]))
     |(?P<str>'[^'\\\n]*'|"[^"\\\n]*")
     |(?P<name>[A-Za-z_]\w*)
     |(?P<op>&&|\|\||==|!=|<=|>=|[<>!?:().+\-*])
    )""",
    re.VERBOSE,
)


def _tokens(source: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    pos, end = 0, len(source.rstrip())
    while pos < end:
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise _NotLowered(source[pos:])
        pos = match.end()
        kind = match.lastgroup
        text = match.group(kind or "")
        if kind == "float":
            found.append(("lit", float(text)))
        elif kind == "int":
            value = int(text)
            if value > _INT64[1]:
                raise _NotLowered(text)
            found.append(("lit", value))
        elif kind == "str":
            found.append(("lit", text[1:-1]))
        elif kind == "name" and text in ("true", "false", "null"):
            found.append(("lit", {"true": True, "false": False, "null": None}[text]))
        elif kind == "name" and text in _RESERVED:
            raise _NotLowered(text)
        else:
            found.append((kind or "", text))
    return found


_RESERVED = frozenset(
    {"in", "as", "break", "const", "continue", "else", "for", "function", "if", "import"}
    | {"let", "loop", "package", "namespace", "return", "var", "void", "while"}
)


def _kind(value: Any) -> str:
    """CEL's type family of a Python value as the context holds it ('' : not mirrored)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    if isinstance(value, str):
        return "str"
    if value is None:
        return "null"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return "time"
    return ""


def _b(value: Any) -> bool:
    if value is True or value is False:
        return bool(value)
    raise Unsupported


_EXACT = 2**53
"""Beyond this an int compared with a double is not exact in CEL (it is in Python)."""


def _n(value: Any) -> Any:
    if type(value) is float or (type(value) is int and -_EXACT <= value <= _EXACT):
        return value
    raise Unsupported


def _s(value: Any) -> str:
    if type(value) is str:
        return value
    raise Unsupported


def _eq(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if not ka or not kb or ka == "time" or kb == "time":
        raise Unsupported
    if ka == kb == "num" and type(a) is not type(b):
        _n(a)
        _n(b)
    return ka == kb and bool(a == b)


def _ord(a: Any, b: Any) -> Any:
    ka = _kind(a)
    if not ka or ka == "null" or ka != _kind(b):
        raise Unsupported
    if ka == "num" and type(a) is not type(b):
        _n(a)
        _n(b)
    return a


def _arith(op: str, a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is not tb or ta not in (int, float, str) or (ta is str and op != "+"):
        raise Unsupported
    value = a + b if op == "+" else a - b if op == "-" else a * b
    if ta is int and not _INT64[0] <= value <= _INT64[1]:
        raise Unsupported
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _r(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    kind = _kind(value)
    if not kind or kind == "time":
        raise Unsupported  # maps, lists, timestamps: what CEL hands back is its own
    return value


def _has(holder: Any, name: str) -> bool:
    if type(holder) is not dict:
        raise Unsupported
    return name in holder


_HELPERS = {
    "_b": _b,
    "_n": _n,
    "_s": _s,
    "_eq": _eq,
    "_ord": _ord,
    "_arith": _arith,
    "_r": _r,
    "_has": _has,
    "Unsupported": Unsupported,
    "_SCALARS": _SCALARS,
}

Code = tuple[str, str]
"""Python source of a node and its static kind: bool, int, float, str, null or any."""


def _lit(value: Any) -> Code:
    kind = "null" if value is None else type(value).__name__
    return repr(value), kind


class _Parser:
    """Recursive descent over CEL's precedence: ternary, ||, &&, relation, +/-, *, unary;
    each node becomes Python source, with a type check wherever the kind is not known."""

    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.pos = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (text is not None and (token[0] != "op" or token[1] != text)):
            raise _NotLowered(text or "end")
        self.pos += 1
        return token

    def at(self, *ops: str) -> str | None:
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in ops:
            return str(token[1])
        return None

    def parse(self) -> Code:
        node = self.ternary()
        if self.peek() is not None:
            raise _NotLowered("trailing")
        return node

    def ternary(self) -> Code:
        cond = self.or_()
        if not self.at("?"):
            return cond
        self.take("?")
        yes = self.or_()
        self.take(":")
        no = self.ternary()
        kind = yes[1] if yes[1] == no[1] else "any"
        return f"(({yes[0]}) if {_as_bool(cond)} else ({no[0]}))", kind

    def or_(self) -> Code:
        node = self.and_()
        while self.at("||"):
            self.take()
            right = self.and_()
            node = f"({_as_bool(node)} or {_as_bool(right)})", "bool"
        return node

    def and_(self) -> Code:
        node = self.relation()
        while self.at("&&"):
            self.take()
            right = self.relation()
            node = f"({_as_bool(node)} and {_as_bool(right)})", "bool"
        return node

    def relation(self) -> Code:
        left = self.additive()
        op = self.at("==", "!=", "<", "<=", ">", ">=")
        if op is None:
            return left
        self.take()
        right = self.additive()
        if self.at("==", "!=", "<", "<=", ">", ">="):
            raise _NotLowered("chained relation")
        if op in ("==", "!="):
            negate = "not " if op == "!=" else ""
            return f"({negate}_eq({left[0]}, {right[0]}))", "bool"
        numbers = ("int", "float")
        if left[1] in numbers or right[1] in numbers:
            a, b = _as_number(left), _as_number(right)
        elif left[1] == "str" or right[1] == "str":
            a, b = _as_str(left), _as_str(right)
        else:
            a, b = f"_ord({left[0]}, {right[0]})", right[0]
        return f"({a} {op} {b})", "bool"

    def additive(self) -> Code:
        node = self.multiplicative()
        while op := self.at("+", "-"):
            self.take()
            node = _arithmetic(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Code:
        node = self.unary()
        while self.at("*"):
            self.take()
            node = _arithmetic("*", node, self.unary())
        return node

    def unary(self) -> Code:
        if self.at("!"):
            self.take()
            return f"(not {_as_bool(self.unary())})", "bool"
        if self.at("-"):
            self.take()
            token = self.peek()
            if token is not None and token[0] == "lit" and _kind(token[1]) == "num":
                self.take()
                return _lit(-token[1])
            raise _NotLowered("unary minus")
        return self.member()

    def member(self) -> Code:
        kind, text = self.take()
        if kind == "lit":
            return _lit(text)
        if kind == "op" and text == "(":
            node = self.ternary()
            self.take(")")
            return f"({node[0]})", node[1]
        if kind != "name":
            raise _NotLowered(str(text))
        if text == "has" and self.at("("):
            self.take("(")
            path = self.path()
            self.take(")")
            if len(path) < 2:
                raise _NotLowered("has() of a variable")
            return f"_has({_read(path[:-1])}, {path[-1]!r})", "bool"
        path = [str(text), *self.fields()]
        if self.at("("):
            raise _NotLowered("function call")
        return _read(path), "any"

    def path(self) -> list[str]:
        kind, text = self.take()
        if kind != "name":
            raise _NotLowered(str(text))
        return [str(text), *self.fields()]

    def fields(self) -> list[str]:
        names: list[str] = []
        while self.at("."):
            self.take()
            kind, text = self.take()
            if kind != "name" or text in _RESERVED:
                raise _NotLowered(str(text))
            names.append(str(text))
        return names


def _read(path: list[str]) -> str:
    """A read of ``path`` in the variables: a missing key (KeyError) or a step into something
    that is not a map (TypeError) makes the caller fall back to CEL."""
    return "v" + "".join(f"[{name!r}]" for name in path)


# The checks of a value whose kind is not known are written out for the usual kind and call
# the helper only for the rest (it gives the same value or raises): a call costs more than them.


def _as_bool(node: Code) -> str:
    if node[1] == "bool":
        return node[0]
    return f"(_t if (_t := {node[0]}) is True or _t is False else _b(_t))"


def _as_number(node: Code) -> str:
    if node[1] in ("int", "float"):
        return node[0]
    return f"(_t if type(_t := {node[0]}) is float else _n(_t))"


def _as_str(node: Code) -> str:
    if node[1] == "str":
        return node[0]
    return f"(_t if type(_t := {node[0]}) is str else _s(_t))"


def _arithmetic(op: str, left: Code, right: Code) -> Code:
    kinds = {left[1], right[1]}
    if kinds == {"str"} and op == "+":
        return f"({left[0]} + {right[0]})", "str"
    if op == "+" and "str" in kinds and kinds <= {"str", "any"}:
        return f"({_as_str(left)} + {_as_str(right)})", "str"
    if kinds in ({"float"}, {"float", "any"}):
        a = left[0] if left[1] == "float" else f"(_t if type(_t := {left[0]}) is float else _f(_t))"
        b = (
            right[0]
            if right[1] == "float"
            else f"(_t if type(_t := {right[0]}) is float else _f(_t))"
        )
        return f"({a} {op} {b})", "float"
    return f"_arith({op!r}, {left[0]}, {right[0]})", "any"


def _f(value: Any) -> float:
    if type(value) is float:
        return value
    raise Unsupported


_HELPERS["_f"] = _f


def _body(source: str) -> str | None:
    """``source`` as one Python expression over ``v``, or None when it is outside the subset."""
    try:
        code, kind = _Parser(source).parse()
    except (_NotLowered, ValueError, KeyError):
        return None
    if kind in ("bool", "int", "float", "str", "null"):
        return code
    # _r's test written out for a scalar, the usual value (a Python call costs more than it)
    return f"(_t if type(_t := {code}) in _SCALARS else _r(_t))"


def _function(body: str) -> Native:
    namespace: dict[str, Any] = dict(_HELPERS)
    # the source is built from the parsed tokens only: names are identifiers, literals repr()
    exec(f"def native(v):\n{body}\n", namespace)
    function: Native = namespace["native"]
    return function


def lower(source: str) -> Native | None:
    """``source`` as a Python function, or None when it is outside the subset (CEL evaluates
    it). The function raises :class:`Unsupported`, KeyError or TypeError where CEL decides."""
    body = _body(source)
    return None if body is None else _function(f"    return {body}")


def lower_rule(condition: str, parts: Sequence[str | None]) -> Native | None:
    """A whole rule as one Python function, or None when any of its expressions is outside the
    subset: None when ``condition`` is false, else the tuple of ``parts``' values (None for an
    absent part), each what :func:`lower` of it gives. It raises :class:`Unsupported`,
    KeyError or TypeError where any of them would (the caller then takes the rule's
    expressions one by one, as without it); a condition that is not a bool raises too."""
    test = _body(condition)
    bodies = [None if p is None else _body(p) for p in parts]
    if test is None or any(b is None for b, p in zip(bodies, parts, strict=True) if p is not None):
        return None
    values = "".join(f"{'None' if b is None else b}, " for b in bodies)
    return _function(
        f"    c = {test}\n"
        "    if c is not True:\n"
        "        if c is False:\n"
        "            return None\n"
        "        raise Unsupported\n"
        f"    return ({values})"
    )
