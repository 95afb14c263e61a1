"""Every public package states its API in a sorted ``__all__`` whose names all import."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "package", ["hub", "hub.bus", "hub.deadletter", "connectors", "connectors.formats"]
)
def test_all_is_sorted_and_importable(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(module, name) is not None
