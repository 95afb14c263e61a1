"""Real SFTP servers on 127.0.0.1 per test: asyncssh's, and OpenSSH's sshd (the one partners
run), each with known_hosts and a client key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.sftp.config import SftpConfig
from connectors.sftp.openssh import OpenSshServer
from connectors.sftp.testing import LocalSftpServer, generate_client_key
from tests.services import require_sshd

USER = "partner"
PASSWORD = "s3cret-pw"


@pytest.fixture
def client_key(tmp_path: Path) -> tuple[Path, str]:
    keys = tmp_path / "keys"
    keys.mkdir()
    return generate_client_key(keys)


@pytest.fixture
def sftp_root(tmp_path: Path) -> Path:
    root = tmp_path / "remote"
    (root / "inbox").mkdir(parents=True)
    return root


@pytest.fixture
def sftp_server(sftp_root: Path, client_key: tuple[Path, str]) -> Iterator[LocalSftpServer]:
    with LocalSftpServer(
        sftp_root, passwords={USER: PASSWORD}, authorized_keys=[client_key[1]]
    ) as server:
        yield server


@pytest.fixture
def known_hosts(tmp_path: Path, sftp_server: LocalSftpServer) -> Path:
    return sftp_server.write_known_hosts(tmp_path / "known_hosts")


@pytest.fixture
def make_config(sftp_server: LocalSftpServer, known_hosts: Path) -> Callable[..., SftpConfig]:
    def make(**overrides: Any) -> SftpConfig:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": sftp_server.port,
            "username": USER,
            "password": PASSWORD,
            "known_hosts": known_hosts,
            "remote_dir": "/inbox",
            "connect_timeout": 5.0,
            "io_timeout": 10.0,
        }
        values.update(overrides)
        return SftpConfig.model_validate(values)

    return make


# -- OpenSSH's sshd: the server partners run (chrooted ``nobody`` when the suite runs as root) --


@pytest.fixture
def openssh() -> Iterator[OpenSshServer]:
    """sshd on 127.0.0.1 with an ``inbox/`` the partner owns; skips when it is not installed."""
    require_sshd()
    with OpenSshServer() as server:
        server.make_dir("inbox")
        yield server


@pytest.fixture
def openssh_key(openssh: OpenSshServer) -> Path:
    """A client key the server accepts."""
    return openssh.new_client_key()


@pytest.fixture
def openssh_settings(
    openssh: OpenSshServer, openssh_key: Path, tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    """The SFTP source's settings for the OpenSSH server (JSON-ready: crossdock.yaml takes them)."""

    def make(**overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": openssh.port,
            "username": openssh.user,
            "private_key": str(openssh_key),
            "known_hosts": str(openssh.write_known_hosts(tmp_path / "known_hosts_openssh")),
            "remote_dir": openssh.remote("inbox"),
            "spool_dir": str(tmp_path / "spool"),
            "connect_timeout": 5.0,
            "io_timeout": 10.0,
        }
        values.update(overrides)
        return values

    return make
