"""A real SFTP server on the loopback interface, for connector tests and benchmarks.

asyncssh's server runs in a thread of its own with a freshly generated host key, serving one
local folder (chrooted). It accepts a password and/or authorised public keys, and can drop the
connection once after a number of bytes were read, so a test can prove that a transfer resumes.
asyncssh is a development dependency: import this module only from tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

__all__ = ["LocalSftpServer", "generate_client_key"]

T = TypeVar("T")

#: how long start and stop wait for the server thread before giving up
_THREAD_TIMEOUT = 15.0


def generate_client_key(directory: Path, name: str = "id_ed25519") -> tuple[Path, str]:
    """Write a new ed25519 private key (OpenSSH format); return its path and public key line."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    path = directory / name
    key.write_private_key(str(path))
    path.chmod(0o600)
    return path, key.export_public_key().decode().strip()


@dataclass
class _Faults:
    """Failures the server injects; shared with the per-session SFTP handlers."""

    #: abort the connection once this many bytes were served (then reset to None: once only)
    drop_after_bytes: int | None = None
    served: int = 0
    #: abort the connection at the next write request (once)
    drop_next_write: bool = False
    drops: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Sftp(asyncssh.SFTPServer):
    """The filesystem SFTP server of asyncssh, chrooted, with an optional one-time drop."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], root: Path, faults: _Faults) -> None:
        super().__init__(chan, chroot=str(root).encode())
        self._faults = faults

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        data = super().read(file_obj, offset, size)
        assert isinstance(data, bytes)
        faults = self._faults
        with faults.lock:
            faults.served += len(data)
            drop = faults.drop_after_bytes is not None and faults.served >= faults.drop_after_bytes
            if drop:
                faults.drop_after_bytes = None
                faults.drops += 1
        if drop:
            self.connection.abort()  # like a dropped network link: no goodbye, no status
            raise asyncssh.SFTPConnectionLost("connection dropped by the test server")
        return data

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        faults = self._faults
        with faults.lock:
            drop, faults.drop_next_write = faults.drop_next_write, False
            if drop:
                faults.drops += 1
        if drop:
            self.connection.abort()
            raise asyncssh.SFTPConnectionLost("connection dropped by the test server")
        written = super().write(file_obj, offset, data)
        assert isinstance(written, int)
        return written


class _Auth(asyncssh.SSHServer):
    def __init__(
        self,
        passwords: dict[str, str],
        keys: list[str],
        live: set[asyncssh.SSHServerConnection],
    ) -> None:
        self._passwords = passwords
        self._keys = keys
        self._live = live
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._live.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self._live.difference_update([c for c in self._live if c.is_closed()])

    def begin_auth(self, username: str) -> bool:
        if self._keys and self._conn is not None:  # read per connection: keys may be added
            self._conn.set_authorized_keys(
                asyncssh.import_authorized_keys("\n".join(self._keys) + "\n")
            )
        return True  # every user must authenticate

    def public_key_auth_supported(self) -> bool:
        return bool(self._keys)

    def password_auth_supported(self) -> bool:
        return bool(self._passwords)

    def validate_password(self, username: str, password: str) -> bool:
        return self._passwords.get(username) == password


class LocalSftpServer:
    """An asyncssh SFTP server on 127.0.0.1 serving ``root``; use as a context manager."""

    def __init__(
        self,
        root: Path,
        *,
        passwords: dict[str, str] | None = None,
        authorized_keys: Sequence[str] = (),
        host: str = "127.0.0.1",
    ) -> None:
        self.root = root
        self.host = host
        self.port = 0
        self.faults = _Faults()
        self._passwords = dict(passwords or {})
        self._authorized = list(authorized_keys)
        self._host_key = asyncssh.generate_private_key("ssh-ed25519")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncssh.SSHAcceptor | None = None
        self._live: set[asyncssh.SSHServerConnection] = set()

    @property
    def host_key_line(self) -> str:
        """This server's entry for a known_hosts file."""
        public = self._host_key.export_public_key().decode().split()
        name = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
        return f"{name} {public[0]} {public[1]}"

    def write_known_hosts(self, path: Path) -> Path:
        """Write a known_hosts file that trusts this server (and nothing else)."""
        path.write_text(self.host_key_line + "\n", encoding="utf-8")
        return path

    def authorize(self, public_key: str) -> None:
        """Accept one more client public key (OpenSSH one-line form) from the next login on."""
        self._authorized.append(public_key)

    def drop_once_after(self, nbytes: int) -> None:
        """Abort the connection once, after ``nbytes`` more bytes were read by clients."""
        with self.faults.lock:
            self.faults.drop_after_bytes = self.faults.served + nbytes

    def drop_next_write(self) -> None:
        """Abort the connection once, when a client next writes to a file."""
        with self.faults.lock:
            self.faults.drop_next_write = True

    def start(self) -> LocalSftpServer:
        """Listen on a free port; returns self once the server accepts connections."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = self._call(self._listen())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Close the listener and every connection, and end the server thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        server, self._server = self._server, None

        async def close() -> None:
            if server is not None:
                server.close()
                await server.wait_closed()
            for conn in list(self._live):
                conn.close()
                await conn.wait_closed()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self._call(close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_THREAD_TIMEOUT)
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> LocalSftpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _listen(self) -> asyncssh.SSHAcceptor:
        root, faults = self.root, self.faults

        def sftp_factory(chan: asyncssh.SSHServerChannel[bytes]) -> _Sftp:
            return _Sftp(chan, root, faults)

        options: dict[str, Any] = {
            "server_host_keys": [self._host_key],
            "sftp_factory": sftp_factory,
            "allow_scp": False,
        }
        return await asyncssh.listen(
            self.host,
            0,
            server_factory=lambda: _Auth(self._passwords, self._authorized, self._live),
            **options,
        )

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None, "the server is not started"
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(_THREAD_TIMEOUT)
