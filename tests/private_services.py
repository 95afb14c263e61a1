"""A private PostgreSQL and a private RabbitMQ node that a test may stop and start at will.

The shared servers (127.0.0.1:5432 and :5672) carry other suites at the same time: a test that
stops them breaks its neighbours. These servers live in a temporary folder on free ports and
belong to the one test (or script) that started them. Both run as their own OS users, as the
Debian packages do: root cannot run ``postgres``, and ``rabbitmq-server`` switches to
``rabbitmq`` itself, so their folders are handed to those users.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PrivatePostgres",
    "PrivateRabbitMQ",
    "ServiceUnavailable",
    "free_port",
    "private_postgres",
    "private_rabbitmq",
]

PG_BIN = Path(os.environ.get("CROSSDOCK_PG_BIN", "/usr/lib/postgresql/15/bin"))


class ServiceUnavailable(RuntimeError):
    """A private server cannot be started here; the message says why (for a skip)."""


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _wait_port(port: int, up: bool, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answers(port) == up:
            return
        time.sleep(0.2)
    raise ServiceUnavailable(f"{what} still {'down' if up else 'up'} after {seconds} s")


def _as_user(user: str, argv: list[str], env: dict[str, str] | None = None) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", user, "--", *(["env", *_env_args(env)] if env else []), *argv]


def _env_args(env: dict[str, str] | None) -> list[str]:
    return [f"{k}={v}" for k, v in (env or {}).items()]


def _give(path: Path, user: str) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user, user)
        for p in path.rglob("*"):
            shutil.chown(p, user, user)


@dataclass
class PrivatePostgres:
    """One ``initdb`` cluster on its own port; ``stop`` and ``start`` are a database outage."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        return subprocess.run(
            _as_user("postgres", argv), capture_output=True, text=True, check=False
        )

    def start(self) -> None:
        done = self._ctl("-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")
        if done.returncode != 0:
            raise ServiceUnavailable(f"pg_ctl start failed: {done.stderr.strip()}")
        _wait_port(self.port, up=True, seconds=60, what="private PostgreSQL")

    def stop(self) -> None:
        # fast: the hub's connections are cut as a crash or a failover would cut them
        self._ctl("-m", "fast", "-w", "stop")
        _wait_port(self.port, up=False, seconds=60, what="private PostgreSQL")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh PostgreSQL cluster (trust auth, socket in its folder), removed afterwards."""
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        raise ServiceUnavailable(f"no {initdb} (Debian package postgresql-15)")
    folder = Path(tempfile.mkdtemp(prefix="crossdock-pg-"))
    folder.chmod(0o755)
    try:
        _give(folder, "postgres")
        done = subprocess.run(
            _as_user(
                "postgres",
                [str(initdb), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                 "--no-sync"],
            ),
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise ServiceUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
        port = free_port()
        with (folder / "data" / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{folder}'\nfsync = off\n"
            )
        server = PrivatePostgres(folder, port)
        server.start()
        try:
            yield server
        finally:
            server._ctl("-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PrivateRabbitMQ:
    """A second RabbitMQ node beside the shared one; ``stop_app``/``start_app`` is an outage."""

    folder: Path
    node: str
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["rabbitmqctl", "-n", self.node, *args],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **self.env},
        )
        if check and done.returncode != 0:
            raise ServiceUnavailable(
                f"rabbitmqctl {' '.join(args)} failed: {(done.stderr or done.stdout)[-500:]}"
            )
        return done

    def start(self) -> None:
        self.ctl("start_app")
        _wait_port(self.port, up=True, seconds=60, what="private RabbitMQ")

    def stop(self) -> None:
        # the node stays, as a broker restart for maintenance leaves it: only AMQP goes away
        self.ctl("stop_app")
        _wait_port(self.port, up=False, seconds=60, what="private RabbitMQ")


@contextmanager
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    """A RabbitMQ node named ``chaos-<port>@localhost`` with its own files, stopped afterwards.

    The machine's ``rabbitmq.conf`` pins the shared node's listener to 5672, so this node gets
    a config file of its own; the Erlang cookie and epmd are shared with the first node.
    """
    if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
        raise ServiceUnavailable("no rabbitmq-server/rabbitmqctl (Debian package rabbitmq-server)")
    folder = Path(tempfile.mkdtemp(prefix="crossdock-rmq-"))
    folder.chmod(0o755)
    port, dist = free_port(), free_port()
    node = f"chaos-{port}@localhost"
    (folder / "mnesia").mkdir()
    (folder / "log").mkdir()
    (folder / "enabled_plugins").write_text("[].\n")
    (folder / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{port}\n")
    env = {
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
    }
    server = PrivateRabbitMQ(folder, node, port, env)
    try:
        _give(folder, "rabbitmq")
        # in the foreground under this process, not -detached: a detached start that dies early
        # leaves nothing to wait on, and its output is the one clue to why
        with (folder / "server.out").open("wb") as log:
            proc = subprocess.Popen(
                ["rabbitmq-server"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                start_new_session=True,
            )
        server.proc = proc
        try:
            _wait_port(port, up=True, seconds=90, what="private RabbitMQ")
        except ServiceUnavailable as exc:
            tail = (folder / "server.out").read_text(errors="replace")[-1500:]
            raise ServiceUnavailable(f"{exc}; its output:\n{tail}") from exc
        yield server
    finally:
        if server.proc is not None:
            server.ctl("stop", check=False)
            try:
                server.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
