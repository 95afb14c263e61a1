"""One authenticated SFTP connection (paramiko), its errors translated to the transport's tree.

Host keys: only ``known_hosts`` is trusted. An unknown server raises :class:`HostKeyRejected`
instead of paramiko's generic ``SSHException``, so the retry table can fail the connector rather
than retry it; a changed key (``BadHostKeyException``) is refused the same way.
"""

from __future__ import annotations

import errno
import logging
import stat as stat_mode
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import paramiko
from paramiko.sftp import CMD_EXTENDED, CMD_EXTENDED_REPLY

from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import (
    HostKeyRejected,
    RemoteFileChanged,
    SftpAuthFailed,
    SftpFolderMissing,
    SftpNotServed,
    SftpUnavailable,
)
from connectors.sftp.keys import load_private_key

__all__ = ["RemoteFile", "SftpSession", "translated_errors"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A regular file seen in a remote listing."""

    path: str
    size: int
    #: modification time in whole seconds, as SFTP v3 reports it
    mtime: int

    @property
    def name(self) -> str:
        """The file name without its folder."""
        return self.path.rsplit("/", 1)[-1]


class _RefuseUnknownHost(paramiko.MissingHostKeyPolicy):
    """paramiko's RejectPolicy, raising the transport's own error (never auto-accepting)."""

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        raise HostKeyRejected(
            f"host key of {hostname} ({key.get_name()} {key.fingerprint}) is not in known_hosts: "
            "add it after checking its fingerprint with the partner"
        )


@contextmanager
def translated_errors(what: str) -> Iterator[None]:
    """Re-raise paramiko's and the socket layer's errors as the transport's error classes."""
    try:
        yield
    except (HostKeyRejected, SftpAuthFailed, SftpUnavailable):
        raise
    except paramiko.BadHostKeyException as exc:
        raise HostKeyRejected(
            f"{what}: host key of {exc.hostname} changed (got {exc.key.fingerprint}, "
            f"known_hosts has {exc.expected_key.fingerprint}): refusing a possible impostor"
        ) from exc
    except paramiko.AuthenticationException as exc:
        raise SftpAuthFailed(f"{what}: authentication refused: {exc}") from exc
    except FileNotFoundError as exc:
        raise RemoteFileChanged(f"{what}: no longer there ({exc})") from exc
    except (paramiko.SSHException, EOFError, OSError) as exc:  # socket.timeout is an OSError
        if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
            raise  # permission on a remote path is not a connection problem
        raise SftpUnavailable(f"{what}: {type(exc).__name__}: {exc}") from exc


#: an SFTP write request's bytes besides its data and handle: length, type, id, handle
#: length, offset, data length
_WRITE_HEADER = 4 + 1 + 4 + 4 + 8 + 4
#: what paramiko keeps of a channel packet for the SSH header (``Channel._send``)
_CHANNEL_HEADROOM = 64
#: the request size every server serves (paramiko's own, and the SFTP drafts' minimum)
_PORTABLE = 32 << 10
#: requests are at most this large, whatever a server says it serves (OpenSSH: 255 KiB)
_LARGEST = 255 << 10


@dataclass(frozen=True, slots=True)
class _Limits:
    """The largest read and write requests a server serves (``limits@openssh.com``)."""

    read: int = _PORTABLE
    write: int = _PORTABLE


class SftpSession:
    """An open SSH connection with its SFTP channel; close it (or use ``with``) when done."""

    def __init__(self, config: SftpConfig) -> None:
        self.config = config
        self._client = paramiko.SSHClient()
        self._sftp: paramiko.SFTPClient | None = None
        self._limits: _Limits | None = None

    @property
    def where(self) -> str:
        """The server and account, for messages: ``sftp://user@host:port``."""
        cfg = self.config
        return f"sftp://{cfg.username}@{cfg.host}:{cfg.port}"

    def open(self) -> SftpSession:
        """Connect, check the host key, authenticate and open the SFTP channel."""
        cfg = self.config
        client = self._client
        where = self.where
        pkey = load_private_key(cfg)  # outside: a key file is not a remote file
        with translated_errors(f"connecting to {where}"):
            known_hosts = cfg.known_hosts.expanduser()
            if not known_hosts.is_file():
                raise HostKeyRejected(f"known_hosts file {known_hosts} does not exist")
            client.load_host_keys(str(known_hosts))
            client.set_missing_host_key_policy(_RefuseUnknownHost())
            client.connect(
                cfg.host,
                port=cfg.port,
                username=cfg.username,
                password=cfg.password.get_secret_value() if cfg.password else None,
                pkey=pkey,
                # only the configured credentials: no agent, no ~/.ssh keys tried on a partner
                allow_agent=False,
                look_for_keys=False,
                timeout=cfg.connect_timeout,
                banner_timeout=cfg.connect_timeout,
                auth_timeout=cfg.connect_timeout,
                channel_timeout=cfg.connect_timeout,
            )
            sftp = self._start_sftp(where)
            channel = sftp.get_channel()
            if channel is not None:
                channel.settimeout(cfg.io_timeout)
            self._sftp = sftp
        log.debug("connected to %s", where)
        return self

    def _start_sftp(self, where: str) -> paramiko.SFTPClient:
        """The SFTP channel of the logged-in connection.

        A server that runs no SFTP for the account closes the channel ("Channel closed.") or
        answers with a shell's text ("Garbage packet received", a bare ``SFTPError`` the
        decision table knew nothing of); the first was retried as an outage for
        ``ride_through`` seconds. With the connection itself still up, neither is an outage:
        it is :class:`SftpNotServed`, naming the server.
        """
        try:
            return self._client.open_sftp()
        except (paramiko.SSHException, paramiko.SFTPError, EOFError, OSError) as exc:
            transport = self._client.get_transport()
            if transport is None or not transport.is_active():
                raise  # the connection broke: translated as an outage
            self._client.close()
            raise SftpNotServed(
                f"{where} accepted the login but serves no SFTP to this account (no sftp "
                f"subsystem, or a shell that answers with text): {type(exc).__name__}: {exc}"
            ) from exc

    @property
    def sftp(self) -> paramiko.SFTPClient:
        """The SFTP channel (after :meth:`open`)."""
        if self._sftp is None:
            raise SftpUnavailable("the SFTP session is not open")
        return self._sftp

    def close(self) -> None:
        """Close the channel and the connection; never raises.

        Closing the channel of a connection that already dropped fails in paramiko (EOFError,
        "Socket is closed"); raised from ``__exit__`` it would hide the error that ended the
        session, so it is only logged: the connection is closed below either way.
        """
        try:
            if self._sftp is not None:
                self._sftp.close()
        except (EOFError, OSError, paramiko.SSHException) as exc:
            log.debug("closing an SFTP channel on a broken connection: %r", exc)
        finally:
            self._sftp = None
            self._client.close()

    def __enter__(self) -> SftpSession:
        return self.open() if self._sftp is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_files(self, folder: str) -> list[RemoteFile]:
        """Regular files directly in ``folder`` (not recursive), in name order.

        A symbolic link to a regular file is one, with its target's size and mtime (OpenSSH
        lists a link as a link: a partner's ``count.csv -> out/count-0142.csv`` was never read,
        and nothing said so); a link to a folder or to nothing is skipped with a warning.
        """
        try:
            with translated_errors(f"listing {folder}"):
                entries = self.sftp.listdir_attr(folder)
        except RemoteFileChanged as exc:
            raise SftpFolderMissing(f"{self.where}: remote folder {folder} does not exist") from exc
        except PermissionError as exc:  # was paramiko's bare [Errno 13], naming no folder
            raise SftpFolderMissing(
                f"{self.where}: remote folder {folder} cannot be listed by this account: "
                f"{exc.strerror or exc} (errno {exc.errno})"
            ) from exc
        files = []
        for entry in entries:
            path = (
                f"{folder.rstrip('/')}/{entry.filename}" if folder != "/" else f"/{entry.filename}"
            )
            if entry.st_mode is not None and stat_mode.S_ISLNK(entry.st_mode):
                target = self._link_target(path)
                if target is not None:
                    files.append(target)
                continue
            if entry.st_mode is not None and not stat_mode.S_ISREG(entry.st_mode):
                continue
            files.append(RemoteFile(path, entry.st_size or 0, int(entry.st_mtime or 0)))
        return sorted(files, key=lambda f: f.path)

    def _link_target(self, path: str) -> RemoteFile | None:
        """The symbolic link ``path`` as the regular file it points to, or None (logged)."""
        try:
            with translated_errors(f"stat {path}"):
                st = self.sftp.stat(path)
        except (RemoteFileChanged, PermissionError) as exc:
            log.warning(
                "%s: skipping the link %s: its target cannot be read (%s)", self.where, path, exc
            )
            return None
        if st.st_mode is not None and not stat_mode.S_ISREG(st.st_mode):
            log.warning("%s: skipping the link %s: it points to no regular file", self.where, path)
            return None
        return RemoteFile(path, st.st_size or 0, int(st.st_mtime or 0))

    def require_folder(self, folder: str) -> None:
        """Raise :class:`SftpFolderMissing` unless ``folder`` exists."""
        if not self.exists(folder):
            raise SftpFolderMissing(f"{self.where}: remote folder {folder} does not exist")

    def stat(self, path: str) -> RemoteFile:
        """Size and mtime of one remote file."""
        with translated_errors(f"stat {path}"):
            st = self.sftp.stat(path)
        return RemoteFile(path, st.st_size or 0, int(st.st_mtime or 0))

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists on the server."""
        try:
            self.stat(path)
        except RemoteFileChanged:
            return False
        return True

    def open_file(self, path: str, mode: str = "rb", *, buffered: bool = True) -> IO[bytes]:
        """Open a remote file (paramiko's SFTPFile is file-like); unbuffered, a read or write
        is one request."""
        with translated_errors(f"opening {path}"):
            return self.sftp.open(path, mode, -1 if buffered else 0)  # type: ignore[return-value]

    def limits(self) -> _Limits:
        """The largest read and write requests the server serves, as its
        ``limits@openssh.com`` says (OpenSSH 8.6 and later: 255 KiB each); 32 KiB, which every
        server serves, when it does not say. Asked once per connection."""
        if self._limits is None:
            self._limits = _Limits()
            try:
                # paramiko has no call for it; its own posix_rename asks the same way
                ask = self.sftp._request  # type: ignore[attr-defined]  # not in the stubs
                kind, msg = ask(CMD_EXTENDED, "limits@openssh.com")
            except (OSError, paramiko.SSHException) as exc:  # unsupported: the portable size
                log.debug("no limits@openssh.com, requests of %d bytes: %s", _PORTABLE, exc)
            else:
                if kind == CMD_EXTENDED_REPLY:
                    msg.get_int64()  # the longest packet
                    read, write = msg.get_int64(), msg.get_int64()
                    self._limits = _Limits(
                        min(read, _LARGEST) if read else _PORTABLE,
                        min(write, _LARGEST) if write else _PORTABLE,
                    )
        return self._limits

    def read_size(self) -> int:
        """The largest read request the server serves (see :meth:`limits`)."""
        return self.limits().read

    def upload(self, chunks: Iterable[bytes], path: str) -> RemoteFile:
        """Write ``chunks``, one after the other, as ``path``; the file as the server sees it.

        As paramiko's ``putfo``, every write request goes out without waiting for the answer
        to the one before (all answers are collected before the file is closed, so a failed
        write still fails the upload), and the size is checked on the server afterwards. Unlike
        ``putfo``, a request is as large as the server takes (:meth:`limits`: 255 KiB for
        OpenSSH, a seventh of the requests and answers paramiko handles for 32 KiB ones) and
        fills whole SSH packets: a full 32 KiB of data plus the request's header is two packets
        (a second one of ~30 bytes, with its own MAC and send), ~20 % of an upload's time here.
        ``chunks`` may be produced while the upload runs (the sink serialises its events
        meanwhile).
        """
        sent = 0
        with translated_errors(f"uploading {path}"):
            with self.sftp.open(path, "wb", bufsize=0) as fh:
                fh.set_pipelined(True)
                # bytes at run time; the stubs say SFTPHandle
                step = self._write_size(len(fh.handle))  # type: ignore[arg-type]
                # paramiko's SFTPFile cuts a write into MAX_REQUEST_SIZE requests
                fh.MAX_REQUEST_SIZE = step
                rest = b""
                for chunk in chunks:
                    view = memoryview(rest + chunk if rest else chunk)
                    whole = len(view) - len(view) % step
                    for start in range(0, whole, step):
                        fh.write(view[start : start + step])
                    rest = bytes(view[whole:])
                    sent += len(chunk)
                if rest:
                    fh.write(rest)
            attrs = self.sftp.stat(path)
        if attrs.st_size != sent:
            raise SftpUnavailable(f"uploading {path}: {attrs.st_size} bytes arrived of {sent}")
        return RemoteFile(path, attrs.st_size or 0, int(attrs.st_mtime or 0))

    def _write_size(self, handle_length: int) -> int:
        """The data of one write request: as much as the server takes in one request
        (:meth:`limits`) that fills whole SSH packets (a request's last packet otherwise
        carries a few bytes, with its own MAC and send)."""
        channel = self.sftp.get_channel()
        packet = (channel.out_max_packet_size if channel is not None else 32768) - (
            _CHANNEL_HEADROOM
        )
        header = _WRITE_HEADER + handle_length
        packets = max(1, (self.limits().write + header) // packet)
        return min(packets * packet, self.limits().write + header) - header

    def make_dirs(self, folder: str) -> None:
        """Create ``folder`` and its parents when missing."""
        parts = [p for p in folder.split("/") if p]
        current = "/" if folder.startswith("/") else ""
        for part in parts:
            current = f"{current}{part}" if current in ("", "/") else f"{current}/{part}"
            if not self.exists(current):
                with translated_errors(f"mkdir {current}"):
                    try:
                        self.sftp.mkdir(current)
                    except OSError:
                        if not self.exists(current):  # another poller made it first: fine
                            raise

    def rename(self, source: str, target: str) -> None:
        """Rename atomically, replacing ``target`` (posix-rename extension of OpenSSH).

        Plain SFTP v3 rename refuses an existing target, which is safe but not a replace; a
        server without the extension gets that instead.
        """
        with translated_errors(f"renaming {source} to {target}"):
            try:
                self.sftp.posix_rename(source, target)
            except OSError as exc:
                if exc.errno is not None:  # a real failure, not "operation unsupported"
                    raise
                self.sftp.rename(source, target)

    def remove(self, path: str) -> None:
        """Delete a remote file."""
        with translated_errors(f"removing {path}"):
            self.sftp.remove(path)
