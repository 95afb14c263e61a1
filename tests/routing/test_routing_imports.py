"""What a routing process imports that it never uses (issue 19: a routed hub's memory).

Import cost is a benchmark (``make bench-peers``' peak RSS), not a test; what a test can hold
is that loading routing (the engine, the router, the targets) does not load CEL's interactive
REPL (prompt_toolkit, pygments: 262 modules, about 7 MB of a routed hub) or httpx (with its
command line's rich progress bars and syntax highlighting, about 3 MB) for targets that post
nothing until a rule sends to one.
"""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
import hub.routing.worker, hub.routing.router, hub.routing.targets
heavy = ('prompt_toolkit', 'pygments', 'cel.cli', 'httpx')
print(sorted(m for m in sys.modules if m.startswith(heavy)))
"""


def _modules(probe: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    ).stdout.strip()


def test_routing_loads_neither_cel_s_repl_nor_httpx() -> None:
    assert _modules(_PROBE) == "[]"


def test_cel_s_repl_still_imports_after_routing() -> None:
    # the placeholder that kept the REPL out is gone: `import cel.cli` loads the real one
    probe = "import hub.routing.expressions, cel.cli\nprint(callable(cel.cli.cli_entry))\n"
    assert _modules(probe) == "True"


def test_an_http_target_still_posts_after_its_lazy_import() -> None:
    # httpx loads on the first post: a refused connection is still sorted as the target
    # being unavailable (a retry), not as an unknown error
    probe = (
        "from hub.routing.errors import TargetUnavailable\n"
        "from hub.routing.targets.http import post_json\n"
        "try:\n"
        "    post_json('t', 'http://127.0.0.1:9/', content=b'{}', headers={}, timeout=2)\n"
        "except TargetUnavailable as exc:\n"
        "    print('unavailable', exc)\n"
    )
    assert _modules(probe).startswith("unavailable")
