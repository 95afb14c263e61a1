"""The CEL library (``common-expression-language``) without its command-line REPL.

``import cel`` runs the package's ``__init__``, which imports ``cel.cli`` first: an interactive
REPL built on prompt_toolkit, pygments, rich and typer. Routing evaluates expressions only (the
Rust extension, ``cel.cel``), yet the REPL was 213 of a routed hub's modules, about 7 MB of its
memory (19 MB on top of the CLI alone; ``cel`` without it is 6 MB) and 0.19 s of its start-up.

So the package is initialised with a placeholder standing in for ``cel.cli``, removed once it
is: a later ``import cel.cli`` (``python -m cel``) loads the real REPL. Where ``cel`` was
imported before this module, it is used as it is.
"""

from __future__ import annotations

import sys
import types

__all__ = ["cel"]

_REPL = "cel.cli"
_placeholder = types.ModuleType(_REPL)
if "cel" not in sys.modules:
    sys.modules.setdefault(_REPL, _placeholder)
try:
    # after the placeholder, on purpose: the package's __init__ must find it
    import cel
finally:
    if sys.modules.get(_REPL) is _placeholder:
        del sys.modules[_REPL]
    _package = sys.modules.get("cel")
    if _package is not None and getattr(_package, "cli", None) is _placeholder:
        delattr(_package, "cli")
