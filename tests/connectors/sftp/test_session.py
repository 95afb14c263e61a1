"""Connecting: password and key auth, host keys checked against known_hosts, never auto-added."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import HostKeyRejected, SftpAuthFailed, SftpUnavailable
from connectors.sftp.session import SftpSession
from connectors.sftp.testing import LocalSftpServer


def test_password_auth_lists_the_inbox(
    make_config: Callable[..., SftpConfig], sftp_root: Path
) -> None:
    (sftp_root / "inbox" / "a.csv").write_bytes(b"x,y\n1,2\n")
    with SftpSession(make_config()) as session:
        files = session.list_files("/inbox")
    assert [(f.name, f.size) for f in files] == [("a.csv", 8)]


def test_key_auth_without_password(
    make_config: Callable[..., SftpConfig], client_key: tuple[Path, str], sftp_root: Path
) -> None:
    (sftp_root / "inbox" / "k.csv").write_bytes(b"k\n")
    config = make_config(password=None, private_key=client_key[0])
    with SftpSession(config) as session:
        assert [f.name for f in session.list_files("/inbox")] == ["k.csv"]


def test_wrong_password_is_refused_as_auth_failure(make_config: Callable[..., SftpConfig]) -> None:
    with pytest.raises(SftpAuthFailed, match="authentication refused"):
        SftpSession(make_config(password="wrong")).open()


def test_unauthorised_key_is_refused(
    make_config: Callable[..., SftpConfig], tmp_path: Path
) -> None:
    from connectors.sftp.testing import generate_client_key

    other, _ = generate_client_key(tmp_path, "stranger")
    with pytest.raises(SftpAuthFailed):
        SftpSession(make_config(password=None, private_key=other)).open()


def test_host_key_mismatch_is_refused(
    make_config: Callable[..., SftpConfig], sftp_server: LocalSftpServer, tmp_path: Path
) -> None:
    impostor = LocalSftpServer(tmp_path)  # a fresh host key, written under our server's name
    impostor.port = sftp_server.port
    bad = impostor.write_known_hosts(tmp_path / "known_hosts_bad")
    with pytest.raises(HostKeyRejected, match="changed"):
        SftpSession(make_config(known_hosts=bad)).open()


def test_unknown_host_is_refused_not_added(
    make_config: Callable[..., SftpConfig], tmp_path: Path
) -> None:
    empty = tmp_path / "known_hosts_empty"
    empty.write_text("")
    with pytest.raises(HostKeyRejected, match="not in known_hosts"):
        SftpSession(make_config(known_hosts=empty)).open()
    assert empty.read_text() == ""  # nothing was trusted on first use


def test_closed_port_is_transient(make_config: Callable[..., SftpConfig]) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SftpUnavailable):
        SftpSession(make_config(port=port)).open()


def test_a_passphrase_protected_key_authenticates(
    make_config: Callable[..., SftpConfig], sftp_server: LocalSftpServer, tmp_path: Path
) -> None:
    import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path / "locked_key"
    key.write_private_key(str(path), passphrase="open sesame")
    sftp_server.authorize(key.export_public_key().decode())
    config = make_config(password=None, private_key=path, private_key_passphrase="open sesame")
    with SftpSession(config) as session:
        assert session.list_files("/inbox") == []


def test_a_host_key_mismatch_fails_the_source_as_a_config_problem_without_retries(
    make_config: Callable[..., SftpConfig], sftp_server: LocalSftpServer, tmp_path: Path
) -> None:
    from connectors.sdk import FailureType, run_source
    from connectors.sdk.testing import StubBus
    from connectors.sftp.source import SftpSource, SftpSourceConfig

    impostor = LocalSftpServer(tmp_path)
    impostor.port = sftp_server.port
    values = make_config(known_hosts=impostor.write_known_hosts(tmp_path / "kh")).model_dump()
    source = SftpSource(SftpSourceConfig.model_validate(values))
    result = source.check()
    assert not result.ok
    assert result.failure is FailureType.CONFIG
    slept: list[float] = []
    with pytest.raises(HostKeyRejected):
        run_source(source, StubBus(), sleep=slept.append)
    assert slept == []  # refused at once, never retried
