"""`crossdock run` is the whole embedded hub: it serves the schema registry while it watches."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_serves_the_registry_with_the_canonical_subjects_and_stops_on_sigint(
    tmp_path: Path,
) -> None:
    port = _free_port()
    log = tmp_path / "run.log"
    (tmp_path / "inbox").mkdir()
    (tmp_path / "data").mkdir()
    with log.open("wb") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "run", "--inbox", str(tmp_path / "inbox"),
             "--data-dir", str(tmp_path / "data"), "--api-port", str(port), "--poll", "0.2"],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )  # fmt: skip
    try:
        subjects: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                subjects = httpx.get(f"http://127.0.0.1:{port}/subjects", timeout=1).json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert "retail.inventory.adjusted" in subjects, log.read_text()
        latest = httpx.get(
            f"http://127.0.0.1:{port}/subjects/retail.inventory.adjusted/versions/latest"
        ).json()
        assert latest["schemaType"] == "JSON"
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    assert code == 130, log.read_text()  # interrupted (hub.cli.exit_codes)
    assert "interrupted:" in log.read_text()
    assert "API on http://127.0.0.1" in log.read_text()
