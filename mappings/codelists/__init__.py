"""Code lists as data: what each standard's qualifier codes mean, kept in YAML beside this module.

Each list is one file ``<name>.yaml`` with its ``standard``, ``element``, ``kind`` (what its codes
qualify: ``product_id``, the default, ``party``, ``date``, ``unit``) and ``codes``; a code's entry
says what Crossdock makes of it (for product id qualifiers, the canonical ``ProductIdScheme``, or
``attribute: true`` where the code names a property, not an id; a party's ``role``; a unit's
``rec20`` code). Specs and spec
functions look codes up here instead of spelling tables in Python, so a reviewer can check a
list against the standard's own, and a new qualifier is a one-line change.

Countries: ISO 3166-1 alpha-2 and alpha-3 (X12 element 26 allows both) through ``pycountry``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry
import yaml

__all__ = ["CodeList", "code_list", "country_alpha2"]

_FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class CodeList:
    """One standard's code list: each code's meaning as a mapping of attributes."""

    name: str
    standard: str
    element: str
    codes: dict[str, dict[str, Any]]
    #: what the codes qualify: ``product_id``, ``party``, ``date``, ``unit``…
    kind: str = "product_id"

    def get(self, code: str | None) -> dict[str, Any] | None:
        """The entry of ``code`` (surrounding blanks ignored), or ``None`` when unlisted."""
        if code is None:
            return None
        return self.codes.get(code.strip())

    def value(self, code: str | None, attribute: str, default: Any = None) -> Any:
        """One attribute of ``code``'s entry, ``default`` when the code or attribute is absent."""
        entry = self.get(code)
        return default if entry is None else entry.get(attribute, default)


@functools.cache
def code_list(name: str) -> CodeList:
    """The code list ``name`` (``mappings/codelists/<name>.yaml``), loaded once."""
    path = _FOLDER / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in _FOLDER.glob("*.yaml")))
        raise LookupError(f"unknown code list {name!r} (known: {known})")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = {str(code): dict(entry or {}) for code, entry in raw["codes"].items()}
    return CodeList(name, raw["standard"], raw["element"], codes, raw.get("kind", "product_id"))


@functools.cache
def country_alpha2(code: str) -> str:
    """The ISO 3166-1 alpha-2 code of an alpha-2 or alpha-3 country code (``USA`` -> ``US``).

    Raises ``ValueError`` naming the code when it is neither: guessing a country is worse than
    refusing the address.
    """
    text = code.strip().upper()
    country = None
    if len(text) == 2:
        country = pycountry.countries.get(alpha_2=text)
    elif len(text) == 3:
        country = pycountry.countries.get(alpha_3=text)
    if country is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 or alpha-3 country code")
    return str(country.alpha_2)
