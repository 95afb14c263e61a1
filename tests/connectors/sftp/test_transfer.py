"""Streaming a remote file into the spool: bounded memory, resumed after a drop, checksummed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.sftp.config import SftpConfig
from connectors.sftp.download import Transfer
from connectors.sftp.errors import SftpUnavailable
from connectors.sftp.session import SftpSession
from connectors.sftp.testing import LocalSftpServer
from hub.retry import RetryPolicy, retrying
from tests.connectors.sftp.conftest import PASSWORD

MB = 1 << 20

#: runs in a child process so its peak RSS is the reader's alone (the server is in this one)
_READER = """
import json, resource, sys
from pathlib import Path
from typing import Any
from connectors.sftp.config import SftpConfig
from connectors.sftp.download import Transfer
from connectors.sftp.session import SftpSession

config = SftpConfig.model_validate_json(sys.argv[1])
with SftpSession(config) as session:
    remote = session.stat(sys.argv[2])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fetched = Transfer(remote, Path(sys.argv[3])).attempt(session)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after, "size": fetched.size,
                  "sha256": fetched.sha256}))
"""


def _random_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        for _ in range(size // MB):
            block = os.urandom(MB)
            digest.update(block)
            fh.write(block)
    return digest.hexdigest()


def test_200_mb_file_is_streamed_in_bounded_memory(
    make_config: Callable[..., SftpConfig], sftp_root: Path, tmp_path: Path
) -> None:
    size = 200 * MB
    expected = _random_file(sftp_root / "inbox" / "big.bin", size)
    spool = tmp_path / "spool" / "big.bin"
    # the password travels in clear to the child: model_dump_json would mask it
    settings = {**make_config().model_dump(mode="json"), "password": PASSWORD}
    result = subprocess.run(
        [sys.executable, "-c", _READER, json.dumps(settings), "/inbox/big.bin", str(spool)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["size"] == size
    assert report["sha256"] == expected
    assert spool.stat().st_size == size
    # the reader's peak resident memory grew by a few MiB, not by anything like the file's size
    grown_mb = (report["after_kb"] - report["before_kb"]) / 1024
    assert grown_mb < 40, f"peak RSS grew {grown_mb:.1f} MiB while streaming 200 MiB"


# paramiko's prefetch thread also meets the dropped socket and reports it on its own thread;
# the reading thread gets the error too, and that is what the hub acts on and this test checks
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_dropped_connection_resumes_where_it_broke(
    make_config: Callable[..., SftpConfig],
    sftp_server: LocalSftpServer,
    sftp_root: Path,
    tmp_path: Path,
) -> None:
    size = 24 * MB
    expected = _random_file(sftp_root / "inbox" / "drop.bin", size)
    config = make_config()
    with SftpSession(config) as session:
        remote = session.stat("/inbox/drop.bin")
    # requests capped at 16 (4 MB in flight at 255 KiB each): the server counts bytes it has
    # read for requests, and with every request sent at once it reads 10 MB long before they
    # are delivered, so its abort could leave the client with less than one spool write (1 MB)
    # and the resume at 0; with the cap, most of what was served has reached the client
    transfer = Transfer(remote, tmp_path / "spool" / "drop.bin", prefetch_requests=16)
    sftp_server.drop_once_after(10 * MB)
    resumed_at: list[int] = []
    failures: list[BaseException] = []

    def attempt() -> object:
        resumed_at.append(transfer.offset)
        with SftpSession(config) as session:  # a new connection per attempt
            return transfer.attempt(session)

    fetched = retrying(
        RetryPolicy(max_attempts=4, initial_wait=0.05, max_wait=0.2),
        attempt,
        on_retry=lambda exc, n: failures.append(exc),
    )
    assert sftp_server.faults.drops == 1
    assert len(failures) == 1
    assert isinstance(failures[0], SftpUnavailable)
    assert transfer.attempts == 2
    # the second attempt started after the bytes already received, not from zero
    assert resumed_at[0] == 0
    assert 0 < resumed_at[1] < size
    assert fetched.sha256 == expected  # type: ignore[attr-defined]
    assert (tmp_path / "spool" / "drop.bin").read_bytes() == (
        sftp_root / "inbox" / "drop.bin"
    ).read_bytes()


def test_a_file_changed_since_listing_is_not_read(
    make_config: Callable[..., SftpConfig], sftp_root: Path, tmp_path: Path
) -> None:
    from connectors.sftp.errors import RemoteFileChanged

    path = sftp_root / "inbox" / "grow.csv"
    path.write_bytes(b"a\n1\n")
    with SftpSession(make_config()) as session:
        remote = session.stat("/inbox/grow.csv")
        with path.open("ab") as fh:
            fh.write(b"2\n")
        os.utime(path, (remote.mtime + 5, remote.mtime + 5))
        with pytest.raises(RemoteFileChanged, match="changed since it was listed"):
            Transfer(remote, tmp_path / "g").attempt(session)
    assert not (tmp_path / "g").exists()


def test_a_failed_spool_write_raises_and_the_offset_counts_only_written_bytes(
    make_config: Callable[..., SftpConfig],
    sftp_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # spool writes run in a thread of their own: a failing one must still fail the attempt
    _random_file(sftp_root / "inbox" / "full.bin", 8 * MB)
    spill = Transfer._spill
    calls = 0

    def disk_full_on_third_write(self: Transfer, out: Any, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        spill(self, out, data)

    monkeypatch.setattr(Transfer, "_spill", disk_full_on_third_write)
    spool = tmp_path / "spool" / "full.bin"
    with SftpSession(make_config()) as session:
        transfer = Transfer(session.stat("/inbox/full.bin"), spool)
        with pytest.raises(OSError, match="No space left"):
            transfer.attempt(session)
    assert transfer.offset == spool.stat().st_size  # a resume starts after what is really there
    assert transfer.offset < 8 * MB
