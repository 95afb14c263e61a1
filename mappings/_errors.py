"""The errors of the mapping engine.

Two kinds, raised at different times and handled by different people::

    CrossdockError               the one root (canonical.errors)
    ├── SpecError (ValueError)   a spec file is invalid: fix the YAML (load, compile, registry time)
    └── MappingError             one document cannot be mapped: dead-letter it (run time, permanent)

A ``MappingError`` is permanent for its document: retrying the same bytes through the same
mapping version fails the same way, so the hub sends it straight to the dead letters.
"""

from __future__ import annotations

from typing import Any

from canonical.errors import CrossdockError

__all__ = ["MappingError", "SpecError"]

# Dead letters and logs show the value; a whole 4 KB segment would drown the reason.
_MAX_VALUE_CHARS = 60


class SpecError(CrossdockError, ValueError):
    """A mapping spec (or its golden folder) is invalid; ``problems`` lists every issue found."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        joined = "\n  ".join(problems)
        super().__init__(f"{where}:\n  {joined}" if len(problems) > 1 else f"{where}: {joined}")


class _Missing:
    """Marks 'no source value was read', distinct from a value that is ``None``."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def _shorten(value: Any) -> Any:
    if value is MISSING or value is None or isinstance(value, bool | int):
        return value
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= _MAX_VALUE_CHARS:
        return value
    return text[: _MAX_VALUE_CHARS - 1] + "…"


class MappingError(CrossdockError):
    """A document could not be mapped: names the spec, the target field and the source location.

    ``field`` is the target path with list positions (``lines[3].quantity.value``),
    ``source_path`` the location read in the source tree (``PO1[3].2``), ``value`` the raw value
    read there (shortened; ``None`` when nothing was read) and ``reason`` what went wrong.
    """

    def __init__(
        self,
        *,
        spec_id: str,
        spec_version: int,
        field: str | None,
        source_path: str | None,
        value: Any,
        reason: str,
    ) -> None:
        self.spec_id = spec_id
        self.spec_version = spec_version
        self.field = field
        self.source_path = source_path
        self.value = None if value is MISSING else _shorten(value)
        self.reason = reason
        where = f"mapping {spec_id}@{spec_version}"
        if field is not None:
            where += f": field {field}"
        if source_path is not None:
            absent = value is MISSING or value is None
            where += f" from {source_path}" + (" (missing)" if absent else f"={self.value!r}")
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only __init__ needs help to survive pickling (multiprocessing workers).
        return (
            _rebuild,
            (
                {
                    "spec_id": self.spec_id,
                    "spec_version": self.spec_version,
                    "field": self.field,
                    "source_path": self.source_path,
                    "value": self.value,
                    "reason": self.reason,
                },
            ),
        )


def _rebuild(arguments: dict[str, Any]) -> MappingError:
    return MappingError(**arguments)
