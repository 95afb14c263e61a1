"""OpenSSH's own sshd on the loopback interface, serving one folder over ``internal-sftp``.

The server partners run is OpenSSH (Debian's ``openssh-server``), usually with a chrooted
account that may only use SFTP. :class:`OpenSshServer` starts that, for tests and benchmarks:
its own host key, config and log in a folder of its own, a free port on 127.0.0.1, key
authentication only (``AuthorizedKeysCommand``: no file of the machine is changed), and

- run as root (CI): the partner is the unprivileged ``nobody``, chrooted into the served folder
  (``ChrootDirectory``, ``ForceCommand internal-sftp``), so permissions hold as they do for a
  real partner (a read-only ``done/`` is refused). sshd accepts a chroot only when every folder
  above it belongs to root and no one else may write to it, which rules out ``/tmp``: the
  server's folder goes under the first such parent (``~/.cache`` for root), or
  ``$CROSSDOCK_TEST_SSHD_DIR``;
- run as another user: the partner is that user, with a plain home (no chroot is possible);
  remote paths are then absolute paths of the served folder.

:meth:`OpenSshServer.remote` gives the path a client uses either way. ``stop`` ends the
listener and every session (a server going down); ``start`` again serves on the same port.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["OpenSshServer", "sshd_path", "write_ed25519_key"]

#: where Debian installs the daemon (it is not on a normal user's PATH)
_SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
#: sshd as root refuses to start without its privilege-separation folder (systemd makes it)
_PRIVSEP_DIR = Path("/run/sshd")
#: the unprivileged account a chrooted partner logs in as when the tests run as root
_PARTNER_AS_ROOT = "nobody"
_START_TIMEOUT = 10.0


def sshd_path() -> str | None:
    """The sshd binary, or None when openssh-server is not installed."""
    for candidate in _SSHD_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("sshd")


def write_ed25519_key(path: Path, passphrase: bytes | None = None) -> str:
    """Write a new ed25519 private key (OpenSSH format, mode 600); return its public key line."""
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
        )
    )
    path.chmod(0o600)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode()


def _root_only_chain(folder: Path) -> bool:
    """Whether ``folder`` and every parent belong to root and only root may write to them."""
    try:
        for part in [folder, *folder.parents]:
            st = part.stat()
            if st.st_uid != 0 or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def _chroot_parent() -> Path | None:
    """A folder a chroot may be made under, or None (sshd would refuse it everywhere)."""
    configured = os.environ.get("CROSSDOCK_TEST_SSHD_DIR")
    candidates = (
        [Path(configured)] if configured else [Path(tempfile.gettempdir()), Path.home() / ".cache"]
    )
    for candidate in candidates:
        with contextlib.suppress(OSError):
            candidate.mkdir(mode=0o755, parents=True, exist_ok=True)
        if _root_only_chain(candidate.resolve()):
            return candidate.resolve()
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (sshd's session processes), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found.extend(below)
        todo.extend(below)
    return found


class OpenSshServer:
    """sshd on 127.0.0.1 serving :attr:`root` over SFTP to :attr:`user`; a context manager."""

    def __init__(self, *, chroot: bool | None = None) -> None:
        sshd = sshd_path()
        if sshd is None:
            raise FileNotFoundError("sshd is not installed (Debian package openssh-server)")
        self.sshd = sshd
        as_root = os.geteuid() == 0
        parent = _chroot_parent() if as_root and chroot is not False else None
        if chroot and parent is None:
            raise RuntimeError("a chroot needs root and a folder only root may write to")
        self.chrooted = parent is not None
        self.user = _PARTNER_AS_ROOT if as_root else getpass.getuser()
        self.home = Path(tempfile.mkdtemp(prefix="crossdock-sshd-", dir=parent))
        self.home.chmod(0o755)
        self._etc = self.home / "etc"
        self._etc.mkdir(mode=0o755)
        #: the folder the partner sees: ``/`` of its chroot, or its plain home
        self.root = self.home / "root"
        self.root.mkdir(mode=0o755)
        if not self.chrooted:
            self._own(self.root)
        self._host_key = self._etc / "ssh_host_ed25519_key"
        self._host_public = write_ed25519_key(self._host_key)
        self._authorized = self._etc / "authorized_keys"
        self._authorized.write_text("")
        self._authorized.chmod(0o644)
        self.log = self._etc / "sshd.log"
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    # -- the partner's side ------------------------------------------------------------------
    def remote(self, *parts: str) -> str:
        """The path a client uses for ``root / parts`` (chrooted: ``/parts``)."""
        base = "" if self.chrooted else str(self.root)
        return "/".join([base, *parts]) if parts else (base or "/")

    def local(self, *parts: str) -> Path:
        """The served file or folder on this machine."""
        return self.root.joinpath(*parts)

    def make_dir(self, *parts: str, mode: int = 0o755) -> Path:
        """A folder the partner owns (``mode`` 0o555 makes it read-only for the partner)."""
        folder = self.local(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        self._own(folder)
        folder.chmod(mode)
        return folder

    def put(self, relative: str, data: bytes, *, mtime: int | None = None) -> Path:
        """A file uploaded by the partner (owned by it), with ``mtime`` kept when given."""
        path = self.local(*relative.split("/"))
        path.write_bytes(data)
        self._own(path)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def new_client_key(self, name: str = "id_ed25519", passphrase: bytes | None = None) -> Path:
        """A new client key, authorised from the next login on; returns the private key file."""
        path = self.home / name
        public = write_ed25519_key(path, passphrase)
        self.authorize(public)
        return path

    def authorize(self, public_key: str) -> None:
        """Accept one more client public key (OpenSSH one-line form)."""
        with self._authorized.open("a", encoding="utf-8") as fh:
            fh.write(public_key.strip() + "\n")

    @property
    def host_key_line(self) -> str:
        """This server's entry for a known_hosts file."""
        return f"[127.0.0.1]:{self.port} {self._host_public}"

    def write_known_hosts(self, path: Path) -> Path:
        """Write a known_hosts file that trusts this server (and nothing else)."""
        path.write_text(self.host_key_line + "\n", encoding="utf-8")
        return path

    def logins(self) -> int:
        """How many connections authenticated so far (sshd's log, LogLevel VERBOSE)."""
        return self.log.read_text(errors="replace").count(f"Accepted publickey for {self.user} ")

    # -- the daemon --------------------------------------------------------------------------
    def start(self) -> OpenSshServer:
        """Start sshd (again, on the same port after :meth:`stop`); return once it answers."""
        if self._process is not None:
            return self
        config = self._etc / "sshd_config"
        config.write_text(self._config(), encoding="utf-8")
        if os.geteuid() == 0:
            _PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [self.sshd, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"sshd exited at start: {self.log.read_text()[-2000:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as probe,
            ):
                probe.settimeout(1.0)
                if probe.recv(8).startswith(b"SSH-"):
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sshd did not answer on port {self.port}")

    def stop(self) -> None:
        """End the listener and every session: clients see their connections drop."""
        process, self._process = self._process, None
        if process is None:
            return
        for pid in [*_descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # like a crash or a cut link: no goodbye
        process.wait(_START_TIMEOUT)

    def close(self) -> None:
        """Stop the server and delete its folder (the served files too)."""
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> OpenSshServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _config(self) -> str:
        lines = [
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self._host_key}",
            "PidFile none",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            # the keys file of a test is not in a home that StrictModes would accept
            "StrictModes no",
            f"AllowUsers {self.user}",
            "AllowTcpForwarding no",
            "X11Forwarding no",
            "Subsystem sftp internal-sftp",
            "LogLevel VERBOSE",
        ]
        if os.geteuid() == 0:
            # read as root: the partner (nobody) could not read a file under a root-only folder
            lines += [
                "AuthorizedKeysFile none",
                f"AuthorizedKeysCommand /bin/cat {self._authorized}",
                "AuthorizedKeysCommandUser root",
            ]
        else:
            lines.append(f"AuthorizedKeysFile {self._authorized}")
        if self.chrooted:
            lines += [f"ChrootDirectory {self.root}", "ForceCommand internal-sftp -d /"]
        else:
            lines.append(f"ForceCommand internal-sftp -d {self.root}")
        return "\n".join(lines) + "\n"
