"""Package exports load on first use, and a translating worker imports no database layer."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["hub", "hub.deadletter"])
def test_every_export_resolves_to_the_object_in_its_home_module(package: str) -> None:
    module = importlib.import_module(package)
    homes = module._HOMES
    assert sorted(module.__all__) == sorted(homes)
    for name in module.__all__:
        assert getattr(module, name) is getattr(importlib.import_module(homes[name]), name)
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        module.nope  # noqa: B018 - the attribute access is the test


def test_a_translating_worker_imports_neither_the_orm_nor_the_api() -> None:
    # what a worker process imports to run translate_chunk; the ORM, the registry and the API
    # cost a second of CPU per worker per file when hub/__init__ imported them eagerly
    probe = (
        "import sys, hub.chunks\n"
        "heavy = ('sqlalchemy', 'hub.deadletter.model', 'hub.registry', 'hub.api', 'fastapi')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
