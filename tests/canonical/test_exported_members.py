"""The public API is explicit: ``__all__`` is sorted, unique and importable."""

from __future__ import annotations

from types import ModuleType

import pytest

import canonical
import canonical.events


def _isort_order(name: str) -> tuple[bool, bool, str]:
    # The order ruff and isort use: CONSTANTS, then Classes, then functions.
    return (not name.isupper(), not name[:1].isupper(), name)


@pytest.mark.parametrize("module", [canonical, canonical.events])
def test_all_is_sorted_unique_and_importable(module: ModuleType) -> None:
    names: list[str] = module.__all__
    assert names == sorted(names, key=_isort_order)
    assert len(names) == len(set(names))
    assert [name for name in names if not hasattr(module, name)] == []
