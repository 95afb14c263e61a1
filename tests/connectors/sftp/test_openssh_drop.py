"""A partner's SFTP server as OpenSSH serves it, beyond the happy path: a file this account may
not read among readable ones; an account the server gives no SFTP; a file still growing while
it is downloaded. Every poll builds a new
source from the stored state, as the hub does."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import FailureType, run_source
from connectors.sdk.testing import StubBus
from connectors.sftp.errors import SftpFolderMissing, SftpNotServed
from connectors.sftp.openssh import OpenSshServer
from connectors.sftp.session import SftpSession
from connectors.sftp.source import SftpSource
from tests.connectors.sftp.data import HEADER, rows
from tests.connectors.sftp.test_openssh_settle import Poller
from tests.services import require_sshd


def test_a_file_the_server_refuses_to_open_is_named_and_skipped_and_read_once_readable(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # oldest first: before the fix, the unreadable file's bare [Errno 13] failed every poll
    # there, so the readable file after it was never read
    locked = openssh.put("inbox/locked.csv", HEADER + rows(2), mtime=1_763_600_000)
    locked.chmod(0o000)
    openssh.put("inbox/locked.csv.ready", b"")
    openssh.put("inbox/open.csv", HEADER + rows(3, start=10), mtime=1_763_600_001)
    openssh.put("inbox/open.csv.ready", b"")
    poller = Poller(openssh_settings(read_lock="marker"))

    with caplog.at_level(logging.WARNING, logger="connectors.sftp"):
        assert poller.poll() == 3
    warned = [r.getMessage() for r in caplog.records if "locked.csv" in r.getMessage()]
    assert warned, "the refused file is not reported"
    assert f"127.0.0.1:{openssh.port}" in warned[0]
    assert f"cannot read {openssh.remote('inbox', 'locked.csv')}" in warned[0]
    assert "Permission denied" in warned[0]
    assert openssh.local("inbox", "locked.csv").exists()  # left for the partner to fix

    assert poller.poll() == 0  # still refused: nothing read, nothing lost
    locked.chmod(0o644)
    assert poller.poll() == 2
    assert poller.poll() == 0
    assert sorted(p.name for p in openssh.local("inbox", "done").iterdir()) == [
        "locked.csv",
        "locked.csv.ready",
        "open.csv",
        "open.csv.ready",
    ]
    assert len(poller.bus.events) == 5


class _NoSftpServer(OpenSshServer):
    """sshd whose account gets no SFTP: a shell account (no subsystem), or one whose
    ForceCommand prints text (written here: the two ways partners' servers were seen to)."""

    def __init__(self, force_command: str | None) -> None:
        super().__init__(chroot=False)
        self.force_command = force_command

    def _config(self) -> str:
        lines = [
            line
            for line in super()._config().splitlines()
            if not line.startswith(("ForceCommand", "Subsystem"))
        ]
        if self.force_command:
            lines.append(f"ForceCommand {self.force_command}")
        return "\n".join(lines) + "\n"


@pytest.mark.parametrize("force_command", [None, "/bin/echo welcome to the partner portal"])
def test_a_login_without_sftp_fails_the_read_as_config_naming_the_server(
    tmp_path: Path, force_command: str | None
) -> None:
    require_sshd()
    with _NoSftpServer(force_command) as server:
        settings = {
            "host": "127.0.0.1",
            "port": server.port,
            "username": server.user,
            "private_key": str(server.new_client_key()),
            "known_hosts": str(server.write_known_hosts(tmp_path / "known_hosts")),
            "remote_dir": server.remote(),
            "spool_dir": str(tmp_path / "spool"),
            "connect_timeout": 5.0,
        }
        waits: list[float] = []
        with (
            SftpSource.from_config(settings) as source,
            pytest.raises(SftpNotServed) as refused,
        ):
            run_source(source, StubBus(), sleep=waits.append)
    # before: "SSHException: Channel closed." retried as an outage for ride_through, or a
    # bare paramiko SFTPError ("Garbage packet received")
    assert waits == []  # not retried: an operator must fix the account
    assert source.policy().table.decide(refused.value).failure is FailureType.CONFIG
    assert f"sftp://{server.user}@127.0.0.1:{server.port}" in str(refused.value)
    assert "serves no SFTP" in str(refused.value)


def test_a_file_that_grows_while_it_is_downloaded_is_read_once_whole(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # stable-size: the upload stalls for a poll, so the partial file looks complete; the partner
    # goes on writing while the connector downloads it (the append is made once the remote file
    # is open, when the download asks the server's read size)
    partial = HEADER + rows(30)
    path = openssh.put("inbox/count.csv", partial)
    open_read_size = SftpSession.read_size
    appended: list[int] = []

    def read_size(session: SftpSession) -> int:
        if not appended:
            with path.open("ab") as fh:
                appended.append(fh.write(rows(20, start=30)))
        return open_read_size(session)

    monkeypatch.setattr(SftpSession, "read_size", read_size)
    poller = Poller(openssh_settings(read_lock="stable-size"))
    published = [poller.poll() for _ in range(5)]

    assert appended, "the partner's append did not happen during a download"
    assert openssh.local("inbox", "done", "count.csv").read_bytes() == HEADER + rows(50)
    # before: the 30 rows of the partial copy, then all 50 again under the whole file's ids
    assert sum(published) == 50
    skus = [e.data.sku for e in poller.bus.events]
    assert len(skus) == len(set(skus)) == 50


@pytest.mark.parametrize(
    ("folder", "why"), [("nope", "does not exist"), ("secret", "cannot be listed")]
)
def test_a_remote_folder_missing_or_not_listable_fails_the_read_naming_server_and_folder(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    folder: str,
    why: str,
) -> None:
    openssh.make_dir("secret", mode=0o000)  # the partner's folder this account may not list
    settings = openssh_settings(remote_dir=openssh.remote(folder))
    waits: list[float] = []
    with SftpSource.from_config(settings) as source, pytest.raises(SftpFolderMissing) as refused:
        run_source(source, StubBus(), sleep=waits.append)
    # before: a bare PermissionError "[Errno 13] Permission denied", naming neither
    assert waits == []
    assert source.policy().table.decide(refused.value).failure is FailureType.CONFIG
    message = str(refused.value)
    assert f"sftp://{openssh.user}@127.0.0.1:{openssh.port}" in message
    assert f"remote folder {openssh.remote(folder)} {why}" in message


def test_a_symlink_to_a_file_is_read_once_and_a_dangling_one_is_named(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the partner publishes the latest export under a fixed name in the drop
    openssh.make_dir("out")
    openssh.put("out/count-0142.csv", HEADER + rows(2))
    openssh.local("inbox", "count.csv").symlink_to(openssh.remote("out", "count-0142.csv"))
    openssh.put("inbox/count.csv.ready", b"")
    openssh.local("inbox", "gone.csv").symlink_to(openssh.remote("out", "nothing.csv"))
    openssh.put("inbox/gone.csv.ready", b"")
    poller = Poller(openssh_settings(read_lock="marker"))

    with caplog.at_level(logging.WARNING, logger="connectors.sftp"):
        published = [poller.poll() for _ in range(3)]

    # before: OpenSSH lists a link as a link, and both were skipped without a word
    assert published == [2, 0, 0]
    assert openssh.local("inbox", "done", "count.csv").is_symlink()
    assert openssh.local("out", "count-0142.csv").exists()  # the partner's own file untouched
    assert any("gone.csv" in r.getMessage() for r in caplog.records)


def test_a_hidden_temporary_upload_is_not_read_only_the_renamed_file(
    openssh: OpenSshServer, openssh_settings: Callable[..., dict[str, Any]]
) -> None:
    # a partner's client uploads as .NAME and renames when done; this upload stalls for polls
    openssh.put("inbox/.count.csv", HEADER + rows(2))
    poller = Poller(openssh_settings(read_lock="stable-size"))
    # before: *.csv matched .count.csv (fnmatch knows no hidden names): read at the second
    # poll and moved to done/ (the partner's rename then fails, or the renamed file is read
    # again)
    assert [poller.poll() for _ in range(3)] == [0, 0, 0]
    openssh.local("inbox", ".count.csv").rename(openssh.local("inbox", "count.csv"))
    assert sum(poller.poll() for _ in range(3)) == 2
    assert openssh.local("inbox", "done", "count.csv").exists()
