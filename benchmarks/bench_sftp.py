"""SFTP against OpenSSH's sshd: the connector's download and upload next to paramiko's own.

The server is the one partners run: OpenSSH's sshd with ``internal-sftp``, a chrooted account
when run as root (:class:`connectors.sftp.openssh.OpenSshServer`, the test suite's), in
processes of its own on 127.0.0.1. Each goal is a ratio against paramiko on the same server,
over the same kind of connection (:class:`~connectors.sftp.session.SftpSession`):

- download: a :class:`~connectors.sftp.download.Transfer`, the path
  :class:`~connectors.sftp.source.SftpSource` takes for every file (pipelined reads, sha256
  while streaming, written to the spool and fsynced), against ``SFTPClient.get`` of the same
  file (``CROSSDOCK_BENCH_SFTP_MB``, default 200);
- upload: :meth:`SftpSink.write <connectors.sftp.sink.SftpSink.write>` of one batch of
  canonical events on a connection the push already has (serialising them, uploading as
  ``.part``, renaming), against ``SFTPClient.put`` of a local file holding the same bytes
  (``CROSSDOCK_BENCH_SFTP_UPLOAD_MB``, default 64: the batch of issue 21).

Each pair alternates for ``CROSSDOCK_BENCH_SFTP_ROUNDS`` rounds (default 3) and each side keeps
its best, so a noisy neighbour costs both alike.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

__all__ = ["GOAL", "run"]

#: connector MB/s divided by paramiko's MB/s must reach this, each way
GOAL = 0.8
_MB = 1 << 20


def _write_random(path: Path, size_mb: int) -> None:
    with path.open("wb") as fh:
        for _ in range(size_mb):
            fh.write(os.urandom(_MB))


def _events(size_mb: int) -> list[dict[str, Any]]:
    """Stock-count events as the bus hands them to a sink (~440 bytes of JSON each)."""
    events: list[dict[str, Any]] = []
    size = 0
    while size < size_mb * _MB:
        i = len(events)
        event = {
            "specversion": "1.0",
            "id": f"0b9c4f2e-{i:012d}",
            "type": "retail.inventory.adjusted.v1",
            "source": "crossdock://connectors/sftp",
            "subject": f"/inbox/count.csv@4be1c8f0a2d3:line {i + 2}",
            "time": "2026-11-20T06:05:00Z",
            "datacontenttype": "application/json",
            "data": {
                "location_id": "0142",
                "sku": f"SKU-{i:07d}",
                "gtin": None,
                "quantity_change": {"value": str(i % 7 - 3), "unit": "C62"},
                "counted_quantity": {"value": str(i % 50), "unit": "C62"},
                "reason": "cycle_count",
                "occurred_at": "2026-11-20T06:05:00Z",
                "counted_by": "m.lopez",
            },
        }
        events.append(event)
        size += 440
    return events


def _best(rounds: int, ours: Callable[[], float], ref: Callable[[], float]) -> tuple[float, float]:
    measured = [(ours(), ref()) for _ in range(rounds)]
    return max(o for o, _ in measured), max(r for _, r in measured)


def _row(what: str, ours: float, ref: float, reference: str) -> tuple[str, str, str, str]:
    ratio = ours / ref
    verdict = f"{ratio:.2f}× (goal ≥ {GOAL}×) {'PASS' if ratio >= GOAL else 'FAIL'}"
    return (what, f"{ours:.1f} MB/s", f"{reference}: {ref:.1f} MB/s", verdict)


def run() -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, reference, verdict) for BENCHMARKS.md."""
    from connectors.sftp.download import Transfer
    from connectors.sftp.openssh import OpenSshServer, sshd_path
    from connectors.sftp.session import SftpSession
    from connectors.sftp.sink import SftpSink, SftpSinkConfig

    if sshd_path() is None:
        raise RuntimeError("sshd is not installed (Debian package openssh-server)")
    size_mb = int(os.environ.get("CROSSDOCK_BENCH_SFTP_MB", "200"))
    upload_mb = int(os.environ.get("CROSSDOCK_BENCH_SFTP_UPLOAD_MB", "64"))
    rounds = int(os.environ.get("CROSSDOCK_BENCH_SFTP_ROUNDS", "3"))
    with tempfile.TemporaryDirectory() as tmp, OpenSshServer() as server:
        server.make_dir("inbox")
        server.make_dir("outbox")
        _write_random(server.local("inbox", "bench.bin"), size_mb)
        config = SftpSinkConfig(
            host="127.0.0.1",
            port=server.port,
            username=server.user,
            private_key=server.new_client_key(),
            known_hosts=server.write_known_hosts(Path(tmp) / "known_hosts"),
            remote_dir=server.remote("outbox"),
        )
        remote = server.remote("inbox", "bench.bin")

        def download() -> float:
            spool = Path(tmp) / "spool.bin"
            spool.unlink(missing_ok=True)
            with SftpSession(config) as session:
                listed = session.stat(remote)
                started = time.perf_counter()
                fetched = Transfer(listed, spool).attempt(session)
                elapsed = time.perf_counter() - started
            assert fetched.size == size_mb * _MB
            return size_mb / elapsed

        def get() -> float:
            target = Path(tmp) / "get.bin"
            target.unlink(missing_ok=True)
            with SftpSession(config) as session:
                started = time.perf_counter()
                session.sftp.get(remote, str(target))
                elapsed = time.perf_counter() - started
            assert target.stat().st_size == size_mb * _MB
            return size_mb / elapsed

        down, down_ref = _best(rounds, download, get)
        # the download's files go before the upload's are made: the disk is the machine's
        (Path(tmp) / "spool.bin").unlink(missing_ok=True)
        (Path(tmp) / "get.bin").unlink(missing_ok=True)

        events = _events(upload_mb)
        # the bytes the sink writes: one orjson line per event
        payload = b"".join(orjson.dumps(e) + b"\n" for e in events)
        local = Path(tmp) / "batch.jsonl"
        local.write_bytes(payload)
        mb = len(payload) / _MB

        def upload() -> float:
            with SftpSink(config) as sink:
                sink.session()  # a push has its connection from its first batch on
                started = time.perf_counter()
                report = sink.write(events)
                elapsed = time.perf_counter() - started
            assert len(report.written) == len(events)
            return mb / elapsed

        def put() -> float:
            with SftpSession(config) as session:
                started = time.perf_counter()
                session.sftp.put(str(local), server.remote("outbox", "put.jsonl"))
                elapsed = time.perf_counter() - started
            return mb / elapsed

        up, up_ref = _best(rounds, upload, put)
    return [
        _row(
            f"SFTP download through the connector from OpenSSH's sshd ({size_mb} MB: stream, "
            "sha256, spool, fsync)",
            down,
            down_ref,
            "paramiko SFTPClient.get, same file and server",
        ),
        _row(
            f"SFTP upload through the sink to OpenSSH's sshd ({mb:.0f} MB batch of "
            f"{len(events):,} events: serialise, upload .part, rename)",
            up,
            up_ref,
            "paramiko SFTPClient.put of the same bytes, same server",
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
