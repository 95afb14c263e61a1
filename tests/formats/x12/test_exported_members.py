"""Each module of ``connectors.formats.x12`` states its API in a sorted, importable ``__all__``."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from connectors.formats import x12

_MODULES = ["connectors.formats.x12"] + [
    f"connectors.formats.x12.{info.name}" for info in pkgutil.iter_modules(x12.__path__)
]


@pytest.mark.parametrize("name", _MODULES)
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for member in names:
        assert getattr(module, member) is not None
