"""The server side of the HTTP load benchmarks: a bench module's ``serve`` in its own process.

A module run as ``python -m benchmarks.<name> serve PORT DATA_DIR`` serves the real app plus
its bare reference endpoint; :func:`bench_server` starts it on a free port, waits until the
API answers and stops it afterwards, so the load generator (``wrk``) measures both over the
same sockets in the same run.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["bench_server"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def bench_server(module: str, *, ready_seconds: float = 30.0) -> Iterator[tuple[str, Path]]:
    """``(base URL, scratch folder)`` of ``python -m module serve`` once ``/subjects`` answers."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", module, "serve", str(port), tmp],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + ready_seconds
            while True:
                try:
                    httpx.get(f"{base}/subjects", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.1)
            yield base, Path(tmp)
        finally:
            server.terminate()
            server.wait(timeout=10)
