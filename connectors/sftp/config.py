"""Configuration of an SFTP connection and of the remote folder it polls."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, JsonValue, SecretStr, model_validator

from connectors.sdk.config import ConnectorConfig

#: an optional secret's schema is an anyOf the SDK's marker does not look into: mark it here
_SECRET: dict[str, JsonValue] = {"writeOnly": True, "x-secret": True}

__all__ = ["SftpConfig"]


class SftpConfig(ConnectorConfig):
    """Where the SFTP server is, who we are there, and which files to take.

    Host keys are checked against ``known_hosts``: a server whose key is absent or different is
    refused (there is deliberately no option to accept an unknown key silently).
    """

    host: str = Field(description="SFTP server host name or address")
    port: int = Field(22, ge=1, le=65535)
    username: str
    password: SecretStr | None = Field(
        None, description="password authentication", json_schema_extra=_SECRET
    )
    private_key: Path | None = Field(None, description="private key file (OpenSSH or PEM)")
    private_key_passphrase: SecretStr | None = Field(None, json_schema_extra=_SECRET)
    known_hosts: Path = Field(
        Path("~/.ssh/known_hosts"), description="known_hosts file the server's key must be in"
    )
    remote_dir: str = Field(".", description="folder polled for new files")
    pattern: str = Field("*.csv", description="glob the file names must match")
    done_dir: str = Field("done", description="where a processed file is moved (remote)")
    failed_dir: str = Field("failed", description="where a refused file is moved (remote)")
    post_process: Literal["move", "delete", "leave"] = Field(
        "move",
        description=(
            "what happens to a file once its outcome is durable. move: to done_dir, or "
            "failed_dir when refused whole; delete: removed (a refused file still goes to "
            "failed_dir, so nothing is lost); leave: untouched, for drops where this account "
            "may not rename or delete (the file is remembered in the state and not read again)"
        ),
    )
    read_lock: Literal["stable-size", "marker"] = Field(
        "stable-size",
        description=(
            "stable-size: size and mtime unchanged across two polls; "
            "marker: a file NAME+marker_suffix is written by the partner once NAME is complete"
        ),
    )
    marker_suffix: str = ".ready"
    connect_timeout: float = Field(15.0, gt=0, description="TCP connect, banner and auth, s")
    io_timeout: float = Field(30.0, gt=0, description="seconds without an answer mid-transfer")
    prefetch_requests: int | None = Field(
        None,
        ge=1,
        description=(
            "cap on read requests in flight (each as large as the server serves, 255 KiB "
            "from OpenSSH); none by default (paramiko's capped "
            "prefetch can fall back to one request at a time, see connectors.sftp.download)"
        ),
    )
    upload_suffix: str = Field(".part", description="temporary name of an upload in progress")
    ride_through: float = Field(
        60.0,
        ge=0,
        description=(
            "seconds a read or a push keeps retrying a server that is down or a connection "
            "that broke (an sshd restart, a network blip), with capped backoff, before the "
            "failure is reported; a resumed download continues at the byte it had reached"
        ),
    )
    retry_max_wait: float = Field(5.0, gt=0, description="longest wait between two retries, s")

    @model_validator(mode="after")
    def _one_credential(self) -> SftpConfig:
        if self.password is None and self.private_key is None:
            raise ValueError("set password or private_key (or both)")
        return self

    def remote_path(self, *parts: str) -> str:
        """A path under ``remote_dir`` (SFTP paths are always POSIX)."""
        base = self.remote_dir.rstrip("/") or "/"
        return "/".join([base, *parts]) if base != "/" else "/" + "/".join(parts)
