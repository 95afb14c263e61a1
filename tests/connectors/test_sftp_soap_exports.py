"""The public names of connectors.sftp and connectors.soap: sorted, importable, documented."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "connectors.sftp",
    "connectors.sftp.config",
    "connectors.sftp.download",
    "connectors.sftp.errors",
    "connectors.sftp.inbox",
    "connectors.sftp.keys",
    "connectors.sftp.openssh",
    "connectors.sftp.outage",
    "connectors.sftp.readlock",
    "connectors.sftp.session",
    "connectors.sftp.settle",
    "connectors.sftp.sink",
    "connectors.sftp.source",
    "connectors.sftp.testing",
    "connectors.soap",
    "connectors.soap.client",
    "connectors.soap.config",
    "connectors.soap.erp_stock",
    "connectors.soap.errors",
    "connectors.soap.testing",
    "connectors.soap.wire_log",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_module_exports_a_sorted_existing_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names {attr}, which does not exist"
        obj = getattr(module, attr)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__, f"{name}.{attr} has no docstring"
