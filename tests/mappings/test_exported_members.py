"""The public API of ``mappings`` is exactly its sorted ``__all__``."""

from __future__ import annotations

import types

import mappings


def test_all_is_sorted_constants_first_and_every_name_exists() -> None:
    # The order ruff's RUF022 keeps: CONSTANTS, then everything else case-sensitively.
    assert mappings.__all__ == sorted(mappings.__all__, key=lambda name: (not name.isupper(), name))
    assert all(hasattr(mappings, name) for name in mappings.__all__)


def test_public_names_not_in_all_are_modules_only() -> None:
    for name in mappings.__all__:  # the exports load on first use (PEP 562): load them all
        getattr(mappings, name)
    public = {name for name in vars(mappings) if not name.startswith("_")}
    assert "transforms" in public
    for name in public - set(mappings.__all__):
        assert isinstance(getattr(mappings, name), types.ModuleType), name
