"""Liveness and readiness: is the process up; can it reach its database and its broker."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from hub.bus.connection import conn_label, open_connection
from hub.errors import BrokerUnavailable

__all__ = ["Check", "check_broker", "check_database"]


@dataclass(frozen=True, slots=True)
class Check:
    """One dependency's answer: reachable or not, why, and how long it took."""

    name: str
    ok: bool
    detail: str
    seconds: float

    def as_json(self) -> dict[str, Any]:
        """The check as JSON."""
        return {"ok": self.ok, "detail": self.detail, "seconds": round(self.seconds, 4)}


def check_database(engine: Engine) -> Check:
    """``SELECT 1`` on the hub database."""
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        reason = (str(getattr(exc, "orig", None) or exc).strip() or "").splitlines()[:1]
        where = engine.url.render_as_string(hide_password=True)
        detail = f"{where}: {type(exc).__name__}: {''.join(reason)}"  # the driver's first line
        return Check("database", False, detail, time.monotonic() - started)
    return Check("database", True, engine.dialect.name, time.monotonic() - started)


def check_broker(url: str) -> Check:
    """Connect to the bus (RabbitMQ, or the embedded SQLite transport) and close again.

    The connect timeout is the bus's own (5 s), so a probe never hangs.
    """
    started = time.monotonic()
    try:
        open_connection(url).release()  # type: ignore[no-untyped-call]
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return Check(
            "broker",
            False,
            f"{type(exc).__name__}: {exc}"
            if isinstance(exc, BrokerUnavailable)
            else f"{conn_label(url)}: {type(exc).__name__}: {exc}",
            time.monotonic() - started,
        )
    return Check("broker", True, conn_label(url), time.monotonic() - started)
