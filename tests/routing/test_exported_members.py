"""Every routing module states its API in ``__all__``; the packages' lists are sorted."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import hub.routing
import hub.routing.targets

_MODULES = sorted(
    m.name
    for pkg in (hub.routing, hub.routing.targets)
    for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + ".")
)


@pytest.mark.parametrize("name", ["hub.routing", "hub.routing.targets", *_MODULES])
def test_module_has_an_importable_all(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names
    for exported in names:
        assert getattr(module, exported) is not None


@pytest.mark.parametrize("name", ["hub.routing", "hub.routing.targets"])
def test_package_all_is_sorted(name: str) -> None:
    names = list(importlib.import_module(name).__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
