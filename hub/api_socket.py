"""The API's listening socket, bound before the API starts, by ``crossdock run`` and ``serve``.

Bound by the hub rather than by uvicorn so that a port in use (another hub) or one the system
refuses is one line naming ``--api-port`` and exit 1, before anything else starts; uvicorn
would log its own error after start-up and exit 3.
"""

from __future__ import annotations

import errno
import socket

from hub.errors import HubError

__all__ = ["bind_api"]


def bind_api(host: str, port: int, *, without_api: str | None = "--no-api") -> socket.socket:
    """A listening socket on ``host:port``; :class:`HubError` naming the option when it cannot be
    bound. ``without_api`` is the option that runs without the API, where the command has one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = "in use (another hub?)" if exc.errno == errno.EADDRINUSE else exc.strerror
        instead = f", or {without_api}" if without_api else ""
        raise HubError(
            f"API on {host}:{port}: cannot listen: {why}; give --api-port{instead}"
        ) from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
