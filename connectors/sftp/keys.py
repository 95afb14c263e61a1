"""Loading the configured private key, every failure a configuration error naming the file.

paramiko (through cryptography) reports a key it cannot load in ways that mislead the decision
table: an encrypted key without a passphrase is a ``TypeError`` (which the table dead-letters),
a wrong passphrase on an OpenSSH-format key a ``ValueError`` about PEM delimiters, and a missing
file a ``FileNotFoundError`` (which the transport takes for a vanished remote file, retried on
every poll). None of them can be helped by retrying: they are
:class:`~connectors.sftp.errors.PrivateKeyUnusable`, which fails the connector and says which
setting to fix.
"""

from __future__ import annotations

from pathlib import Path

import paramiko
from paramiko.pkey import UnknownKeyType

from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import PrivateKeyUnusable

__all__ = ["load_private_key"]


def load_private_key(config: SftpConfig) -> paramiko.PKey | None:
    """The key ``private_key`` names, decrypted with ``private_key_passphrase``; None if unset."""
    if config.private_key is None:
        return None
    path = config.private_key.expanduser()
    secret = config.private_key_passphrase
    passphrase = secret.get_secret_value().encode() if secret is not None else None
    try:
        # paramiko wants bytes here; its type stubs say str
        return paramiko.PKey.from_path(path, passphrase)  # type: ignore[arg-type]
    except FileNotFoundError as exc:
        raise PrivateKeyUnusable(f"private_key {path} does not exist") from exc
    except OSError as exc:
        raise PrivateKeyUnusable(f"private_key {path} cannot be read: {exc.strerror}") from exc
    except (TypeError, paramiko.PasswordRequiredException) as exc:
        raise PrivateKeyUnusable(
            f"private_key {path} is encrypted and private_key_passphrase is not set"
        ) from exc
    except UnknownKeyType as exc:
        raise PrivateKeyUnusable(f"private_key {path} is of a key type not supported") from exc
    except (ValueError, paramiko.SSHException) as exc:
        if passphrase is not None and _encrypted(path):
            raise PrivateKeyUnusable(
                f"private_key_passphrase does not decrypt private_key {path}"
            ) from exc
        raise PrivateKeyUnusable(
            f"private_key {path} is not a private key in OpenSSH or PEM form ({exc})"
        ) from exc


def _encrypted(path: Path) -> bool:
    """Whether the key at ``path`` asks for a passphrase (asked with none)."""
    try:
        paramiko.PKey.from_path(path, None)
    except (TypeError, paramiko.PasswordRequiredException):
        return True
    except Exception:  # unreadable in another way: not an encryption question
        return False
    return False
