"""Package exports that import their module on first use (PEP 562).

A package whose ``__init__`` imports every submodule makes each import of one submodule pay for
all of them; translating worker processes paid 1.4 s for ``hub`` alone, and every ``crossdock``
command paid for the canonical models, the connector SDK and the registry before it started.
It lives in the lowest layer so that canonical, connectors and hub packages all use it. A
package lists where each exported name lives and gets the module ``__getattr__`` and
``__dir__`` from here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose name ``n`` lives in ``homes[n]``."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value  # the next access is a plain module attribute
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *homes])

    return __getattr__, __dir__
