"""What ``crossdock run --once`` (no API) imports that it never uses (issue 19: the hub's memory).

Import cost is a benchmark (``make bench-peers``' peak RSS); a test can hold that a run without
the API does not load its server (uvicorn, the app's routes), and that routing loads neither
CEL's command-line REPL nor httpx for targets that post nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.hub.conftest import write_count

_PROBE = """
import atexit, sys
atexit.register(lambda: print("\\n".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["crossdock", *sys.argv[1:]]
from hub.cli.app import main
main()
"""


def test_a_routed_once_run_loads_no_server_repl_or_http_client(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_count(
        inbox / "count.csv",
        [f"1001,SKU-{i:05d},4006381333931,{i % 7},3,2026-11-20T06:00:00Z,ann" for i in range(20)],
    )
    data = tmp_path / "data"
    data.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "run", "--once", "--inbox", str(inbox), "--data-dir", data],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    modules = set(done.stderr.split())
    assert "hub.routing.engine" in modules  # it routed
    heavy = ("uvicorn", "hub.api.app", "prompt_toolkit", "cel.cli", "httpx")
    assert sorted(m for m in modules if m.startswith(heavy)) == []
