"""Each module of the IDoc, POSLog and Shopify formats, the XML trees, the format registry and
the hub's document modules states its API in a sorted, importable ``__all__``."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from connectors.formats import idoc, poslog, shopify

_MODULES = [
    "connectors.formats.document_formats",
    "connectors.formats.xml_tree",
    "hub.documents",
    "hub.file_source",
    "hub.translate",
    "hub.golden",
    "hub.replay",
]
for package in (idoc, poslog, shopify):
    _MODULES.append(package.__name__)
    _MODULES += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


@pytest.mark.parametrize("name", _MODULES)
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for member in names:
        assert getattr(module, member) is not None
