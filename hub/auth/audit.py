"""The audit trail: one row per write, who did what to which subject, when, with details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from hub.auth.tables import AuditRow

__all__ = ["audit", "audit_log"]


def audit(
    target: Engine | Connection,
    *,
    actor: str,
    action: str,
    subject: str | None,
    detail: Mapping[str, Any],
) -> None:
    """Record one action; given a connection, it commits or rolls back with the caller's work."""
    stmt = AuditRow.__table__.insert().values(  # type: ignore[attr-defined]
        actor=actor, action=action, subject=subject, detail=dict(detail)
    )
    if isinstance(target, Connection):
        target.execute(stmt)
        return
    with target.begin() as conn:
        conn.execute(stmt)


def audit_log(engine: Engine, *, subject: str | None = None, limit: int = 100) -> list[AuditRow]:
    """The newest audit rows first, optionally of one subject only."""
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if subject is not None:
        q = q.where(AuditRow.subject == subject)
    with Session(engine, expire_on_commit=False) as s:
        return list(s.scalars(q))
