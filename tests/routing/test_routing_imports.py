"""What a routing process imports that it never uses (issue 19: a routed hub's memory).

Import cost is a benchmark (``make bench-peers``' peak RSS), not a test; what a test can hold
is that loading routing (the engine, the router, the targets) does not load CEL's interactive
REPL (prompt_toolkit, pygments: 262 modules, about 7 MB of a routed hub).
"""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
import hub.routing.worker, hub.routing.router, hub.routing.targets
heavy = ('prompt_toolkit', 'cel.cli')
print(sorted(m for m in sys.modules if m.startswith(heavy)))
"""


def _modules(probe: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    ).stdout.strip()


def test_routing_does_not_load_cel_s_repl() -> None:
    assert _modules(_PROBE) == "[]"


def test_cel_s_repl_still_imports_after_routing() -> None:
    # the placeholder that kept the REPL out is gone: `import cel.cli` loads the real one
    probe = "import hub.routing.expressions, cel.cli\nprint(callable(cel.cli.cli_entry))\n"
    assert _modules(probe) == "True"
