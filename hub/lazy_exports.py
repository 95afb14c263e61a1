"""Moved to :mod:`canonical.lazy_exports` (the lowest layer, so every package can use it)."""

from canonical.lazy_exports import lazy_exports

__all__ = ["lazy_exports"]
