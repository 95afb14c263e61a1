"""SFTP: MB/s of the connector's download next to a plain paramiko ``get`` of the same file.

The server (asyncssh, :mod:`connectors.sftp.testing`) runs in a process of its own on
127.0.0.1, so the client's figures are not shared with the server's GIL. The connector's path
is the one :class:`~connectors.sftp.source.SftpSource` takes for every file: a
:class:`~connectors.sftp.download.Transfer` (pipelined reads, sha256 while streaming, written to
the spool and fsynced). The reference is ``SFTPClient.get`` on the same file over the same kind
of connection. The two alternate for three rounds and each keeps its best, so a noisy
neighbour costs both alike. File size: ``CROSSDOCK_BENCH_SFTP_MB`` (default 200).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["GOAL", "run"]

#: connector MB/s divided by paramiko get MB/s must reach this
GOAL = 0.8
_MB = 1 << 20
_USER, _PASSWORD = "bench", "bench-pw"


def _serve(root: Path) -> None:
    """Child process: serve ``root`` until stdin closes; print port and host key line first."""
    from connectors.sftp.testing import LocalSftpServer

    with LocalSftpServer(root, passwords={_USER: _PASSWORD}) as server:
        print(json.dumps({"port": server.port, "host_key": server.host_key_line}), flush=True)
        sys.stdin.read()


def _write_random(path: Path, size_mb: int) -> None:
    with path.open("wb") as fh:
        for _ in range(size_mb):
            fh.write(os.urandom(_MB))


def run() -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, reference, verdict) for BENCHMARKS.md."""
    from connectors.sftp.config import SftpConfig
    from connectors.sftp.download import Transfer
    from connectors.sftp.session import SftpSession

    size_mb = int(os.environ.get("CROSSDOCK_BENCH_SFTP_MB", "200"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "remote"
        root.mkdir()
        _write_random(root / "bench.bin", size_mb)
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bench_sftp", "serve", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            hello = json.loads(server.stdout.readline())
            known_hosts = Path(tmp) / "known_hosts"
            known_hosts.write_text(hello["host_key"] + "\n")
            config = SftpConfig(
                host="127.0.0.1",
                port=hello["port"],
                username=_USER,
                password=_PASSWORD,  # type: ignore[arg-type]  # pydantic turns it into SecretStr
                known_hosts=known_hosts,
                remote_dir="/",
            )

            def connector() -> float:
                spool = Path(tmp) / "spool.bin"
                spool.unlink(missing_ok=True)
                with SftpSession(config) as session:
                    remote = session.stat("/bench.bin")
                    started = time.perf_counter()
                    fetched = Transfer(remote, spool).attempt(session)
                    elapsed = time.perf_counter() - started
                assert fetched.size == size_mb * _MB
                return size_mb / elapsed

            def plain_get() -> float:
                target = Path(tmp) / "get.bin"
                target.unlink(missing_ok=True)
                with SftpSession(config) as session:
                    started = time.perf_counter()
                    session.sftp.get("/bench.bin", str(target))
                    elapsed = time.perf_counter() - started
                assert target.stat().st_size == size_mb * _MB
                return size_mb / elapsed

            rounds = [(connector(), plain_get()) for _ in range(3)]
        finally:
            if server.stdin is not None:
                server.stdin.close()
            server.wait(30)
    ours = max(c for c, _ in rounds)
    ref = max(g for _, g in rounds)
    ratio = ours / ref
    verdict = f"{ratio:.2f}× (goal ≥ {GOAL}×) {'PASS' if ratio >= GOAL else 'FAIL'}"
    return [
        (
            f"SFTP download through the connector ({size_mb} MB: stream, sha256, spool, fsync)",
            f"{ours:.1f} MB/s",
            f"paramiko SFTPClient.get, same file and server: {ref:.1f} MB/s",
            verdict,
        )
    ]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        _serve(Path(sys.argv[2]))
    else:
        for row in run():
            print(" | ".join(row))
