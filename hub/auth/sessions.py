"""Page sessions: a browser signs in with a token once and then holds a session id instead.

The session id is 32 random bytes, sent in an HttpOnly, SameSite=Strict cookie and stored
as its SHA-256 only, like a token. A session ends when it is idle for :data:`IDLE` or older
than :data:`LIFETIME`, when its holder signs out, or when its token is revoked (a revoked
token's sessions stop working at once). The token itself never goes back to the browser.

Each session has a CSRF value, rendered into the page: its writes send it in the CSRF header,
which a page on another site can neither read nor set.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from hub.auth.roles import Principal, Role
from hub.auth.tables import SessionRow, TokenRow
from hub.auth.tokens import token_digest
from hub.migrated import utcnow

__all__ = [
    "IDLE",
    "LIFETIME",
    "PageSession",
    "end_session",
    "open_session",
    "session_of",
]

#: a session unused this long ends
IDLE = timedelta(hours=1)
#: a session ends this long after its sign-in, used or not
LIFETIME = timedelta(hours=12)
#: last use is written at most this often (each page load and poll would write otherwise)
_SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PageSession:
    """A live session: who it signs in, and the CSRF value its writes must carry."""

    principal: Principal
    csrf: str

    def csrf_matches(self, sent: str | None) -> bool:
        """True when ``sent`` is this session's CSRF value (compared in constant time)."""
        return sent is not None and hmac.compare_digest(sent, self.csrf)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def open_session(engine: Engine, token: str, *, now: datetime | None = None) -> str | None:
    """A new session for a live ``token``; its id (for the cookie), or None for a bad token."""
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    with Session(engine) as s, s.begin():
        row = s.scalar(select(TokenRow).where(TokenRow.token_sha256 == token_digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        row.last_used_at = now
        s.add(
            SessionRow(
                session_sha256=token_digest(session_id),
                token_id=row.id,
                csrf=secrets.token_urlsafe(24),
                created_at=now,
                last_seen_at=now,
                expires_at=now + LIFETIME,
            )
        )
    return session_id


def session_of(
    engine: Engine, session_id: str | None, *, now: datetime | None = None, touch: bool = True
) -> PageSession | None:
    """The live session behind a cookie's id: None when unknown, ended, idle past :data:`IDLE`,
    past its lifetime, or when its token was revoked. ``touch=False`` (a page's background
    poll) leaves its idle clock alone: an open tab is not an operator at work."""
    if not session_id:
        return None
    now = now or utcnow()
    with Session(engine) as s:
        found = s.execute(
            select(SessionRow, TokenRow)
            .join(TokenRow, TokenRow.id == SessionRow.token_id)
            .where(SessionRow.session_sha256 == token_digest(session_id))
        ).one_or_none()
        if found is None:
            return None
        session, token = found
        if (
            session.ended_at is not None
            or token.revoked_at is not None
            or now >= _aware(session.expires_at)
            or now - _aware(session.last_seen_at) >= IDLE
        ):
            return None
        if touch and now - _aware(session.last_seen_at) >= _SEEN_RESOLUTION:
            s.execute(
                update(SessionRow).where(SessionRow.id == session.id).values(last_seen_at=now)
            )
            s.execute(update(TokenRow).where(TokenRow.id == token.id).values(last_used_at=now))
            s.commit()
        return PageSession(Principal(token.name, Role(token.role)), session.csrf)


def end_session(engine: Engine, session_id: str | None, *, now: datetime | None = None) -> bool:
    """End a session (sign-out); True when there was a live one."""
    if not session_id:
        return False
    with engine.begin() as conn:
        ended = conn.execute(
            update(SessionRow)
            .where(
                SessionRow.session_sha256 == token_digest(session_id),
                SessionRow.ended_at.is_(None),
            )
            .values(ended_at=now or utcnow())
        ).rowcount
    return bool(ended)
