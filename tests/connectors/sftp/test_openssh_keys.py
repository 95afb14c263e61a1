"""Private keys against OpenSSH: encrypted keys with their passphrase log in; a key that cannot
be loaded fails the connector at once as a configuration error naming the file and the setting
(it was a TypeError the table dead-lettered, a misleading ValueError, or a missing file taken
for a vanished remote file and retried on every poll)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.sdk import Action, FailureType, run_source
from connectors.sdk.testing import StubBus
from connectors.sftp.openssh import OpenSshServer, write_ed25519_key
from connectors.sftp.source import SftpSource
from hub.cli.app import app
from hub.retry import DEFAULT_TABLE
from tests.connectors.sftp.data import HEADER, rows

PASSPHRASE = "correct horse"
WRONG = "battery staple"


def _rsa_pem_key(path: Path, passphrase: bytes | None) -> str:
    """An RSA key in the traditional PEM form (``-----BEGIN RSA PRIVATE KEY-----``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode()


def _key(kind: str, path: Path) -> str:
    if kind == "openssh-ed25519":
        return write_ed25519_key(path, PASSPHRASE.encode())
    return _rsa_pem_key(path, PASSPHRASE.encode())


@pytest.mark.parametrize("kind", ["openssh-ed25519", "pem-rsa"])
def test_an_encrypted_key_with_its_passphrase_reads_the_inbox(
    openssh: OpenSshServer,
    openssh_settings: Callable[..., dict[str, Any]],
    tmp_path: Path,
    kind: str,
) -> None:
    key = tmp_path / "partner_key"
    openssh.authorize(_key(kind, key))
    openssh.put("inbox/k.csv", HEADER + rows(2))
    openssh.put("inbox/k.csv.ready", b"")
    settings = openssh_settings(
        private_key=str(key), private_key_passphrase=PASSPHRASE, read_lock="marker"
    )
    bus = StubBus()
    with SftpSource.from_config(settings) as source:
        run_source(source, bus)
    assert len(bus.events) == 2


def _unusable(kind: str, tmp_path: Path) -> tuple[Path, dict[str, Any], str]:
    """(key file, settings, what the error must say) for one way a key cannot be loaded."""
    key = tmp_path / "partner_key"
    if kind == "encrypted, no passphrase (OpenSSH)":
        write_ed25519_key(key, PASSPHRASE.encode())
        return key, {}, "is encrypted and private_key_passphrase is not set"
    if kind == "encrypted, no passphrase (PEM)":
        _rsa_pem_key(key, PASSPHRASE.encode())
        return key, {}, "is encrypted and private_key_passphrase is not set"
    if kind == "wrong passphrase (OpenSSH)":
        write_ed25519_key(key, PASSPHRASE.encode())
        return key, {"private_key_passphrase": WRONG}, "private_key_passphrase does not decrypt"
    if kind == "wrong passphrase (PEM)":
        _rsa_pem_key(key, PASSPHRASE.encode())
        return key, {"private_key_passphrase": WRONG}, "private_key_passphrase does not decrypt"
    if kind == "missing file":
        return key, {}, "does not exist"
    key.write_text("this is not a key\n")
    return key, {}, "is not a private key in OpenSSH or PEM form"


UNUSABLE = [
    "encrypted, no passphrase (OpenSSH)",
    "encrypted, no passphrase (PEM)",
    "wrong passphrase (OpenSSH)",
    "wrong passphrase (PEM)",
    "missing file",
    "not a key",
]


@pytest.mark.parametrize("kind", UNUSABLE)
def test_an_unusable_key_fails_the_read_at_once_as_a_config_error_naming_it(
    openssh_settings: Callable[..., dict[str, Any]], tmp_path: Path, kind: str
) -> None:
    key, extra, says = _unusable(kind, tmp_path)
    settings = openssh_settings(private_key=str(key), **extra)
    slept: list[float] = []
    with (
        SftpSource.from_config(settings) as source,
        pytest.raises(Exception) as raised,  # noqa: PT011  # the class is what is checked
    ):
        run_source(source, StubBus(), table=DEFAULT_TABLE, sleep=slept.append)
    decision = SftpSource.decision_table(DEFAULT_TABLE).decide(raised.value)
    assert (decision.action, decision.failure) == (Action.FAIL, FailureType.CONFIG)
    assert slept == []  # never retried
    message = str(raised.value)
    assert says in message
    assert str(key) in message
    assert "private_key" in message  # the setting to fix
    assert PASSPHRASE not in message
    assert WRONG not in message  # a secret, even a wrong one, is never printed


def test_connector_check_reports_an_encrypted_key_without_passphrase_as_config(
    openssh_settings: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    key, extra, says = _unusable("encrypted, no passphrase (OpenSSH)", tmp_path)
    config = tmp_path / "crossdock.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "var"),
                "connector_instances": [
                    {
                        "name": "drop",
                        "connector": "sftp",
                        "config": openssh_settings(private_key=str(key), **extra),
                    }
                ],
            }
        )
    )
    result = CliRunner().invoke(app, ["connector", "check", "drop", "-c", str(config)])
    assert result.exit_code == 1
    assert "(config)" in result.output
    assert says in " ".join(result.output.split())
