"""What ``crossdock run --once`` (no API) imports that it never uses (issue 19: the hub's memory).

Import cost is a benchmark (``make bench-peers``' peak RSS); a test can hold that a run without
the API does not load its server (uvicorn, the app's routes), that routing loads neither CEL's
command-line REPL nor httpx for targets that post nothing, and that a translating worker does
not load the CLI.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.hub.conftest import write_count

ROOT = Path(__file__).resolve().parents[2]

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


def test_the_command_s_entry_module_loads_no_cli_until_it_runs() -> None:
    # spawning a translating worker runs the hub's main script again in it, as __mp_main__:
    # the console script pip writes imports the entry point's module, which must not load
    # the CLI (typer, click, rich: ~100 ms and 2-4 MB a worker); the main function does
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    module, function = scripts["crossdock"].split(":")
    probe = (
        f"import sys\nfrom {module} import {function}\n"
        "print(sorted(m for m in sys.modules if m.startswith(('hub.cli.app', 'typer', 'rich'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert out.strip() == "[]"
