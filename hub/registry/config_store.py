"""Compatibility levels and modes in SQL, registry-wide and per subject.

The functions taking a :class:`Session` are what the schema store calls inside its own
transactions (a registration reads the level and the mode it is checked against in the same
transaction as it writes); :class:`ConfigStore` is the API's view.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.registry.compat import CompatibilityLevel
from hub.registry.errors import (
    InvalidCompatibilityLevel,
    InvalidSubject,
    OperationNotPermitted,
    SubjectCompatibilityNotConfigured,
    SubjectModeNotConfigured,
    SubjectNotFound,
)
from hub.registry.mode import Mode
from hub.registry.tables import (
    GLOBAL_SCOPE,
    AuditRow,
    ConfigRow,
    ModeRow,
    SubjectRow,
    SubjectVersionRow,
)

__all__ = [
    "DEFAULT_COMPATIBILITY",
    "ConfigStore",
    "audit",
    "check_subject",
    "compatibility_of",
    "forget_subject_settings",
    "mode_in_scope",
    "mode_of",
    "require_registrable",
    "require_writable",
]

DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD
"""Confluent's default level, with its strict rules for open content models."""

_INVALID_LEVEL = (
    "Invalid compatibility level. Valid values are none, backward, forward, full, "
    "backward_transitive, forward_transitive, and full_transitive"
)


def audit(
    s: Session, actor: str, action: str, subject: str | None, detail: Mapping[str, Any]
) -> None:
    """Add the audit row of a write, in the write's own transaction."""
    s.add(AuditRow(actor=actor, action=action, subject=subject, detail=dict(detail)))


_RESERVED_SUBJECTS = frozenset({"__GLOBAL", "__EMPTY"})
"""Names Confluent keeps for itself (global permissions, the empty name): never a subject."""


def check_subject(subject: str, *, reserved: bool = True) -> None:
    """Refuse a subject name Confluent refuses (42208): one with a control character (Java's
    ``isISOControl``: U+0000-U+001F, U+007F-U+009F) and, where ``reserved`` is checked
    (registrations and levels; Confluent's mode route checks control characters only),
    ``__GLOBAL`` and ``__EMPTY``. A blank name is allowed, as Confluent allows it."""
    if any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in subject) or (
        reserved and subject in _RESERVED_SUBJECTS
    ):
        raise InvalidSubject(subject)


def compatibility_of(s: Session, subject: str | None, *, fallback: bool = True) -> str:
    """The level of ``subject`` (its own, else the global one when ``fallback``)."""
    if subject is not None:
        own = s.get(ConfigRow, subject)
        if own is not None:
            return own.compatibility
        if not fallback:
            raise SubjectCompatibilityNotConfigured(subject)
    row = s.get(ConfigRow, GLOBAL_SCOPE)
    return row.compatibility if row else DEFAULT_COMPATIBILITY.value


def mode_of(s: Session, subject: str | None, *, fallback: bool = True) -> str:
    """The mode of ``subject`` (its own, else the global one when ``fallback``)."""
    if subject is not None:
        own = s.get(ModeRow, subject)
        if own is not None:
            return own.mode
        if not fallback:
            raise SubjectModeNotConfigured(subject)
    row = s.get(ModeRow, GLOBAL_SCOPE)
    return row.mode if row else Mode.READWRITE.value


def mode_in_scope(s: Session, subject: str) -> Mode:
    """The mode a write to ``subject`` meets: a global READONLY_OVERRIDE wins over the
    subject's own mode, which wins over the global one, as in Confluent."""
    glob = mode_of(s, None)
    return Mode(glob if glob == Mode.READONLY_OVERRIDE else mode_of(s, subject))


def require_writable(s: Session, subject: str) -> None:
    """Refuse a delete in ``subject`` when its mode in scope is read-only (42205).

    IMPORT takes deletes, as in Confluent.
    """
    if mode_in_scope(s, subject).read_only:
        raise OperationNotPermitted(f"Subject {subject} is in read-only mode")


def require_registrable(s: Session, subject: str, *, importing: bool) -> Mode:
    """Refuse a registration its mode does not take (42205), in Confluent's order; the mode.

    A registration that brings its own id or version (``importing``) needs IMPORT; any
    other needs READWRITE.
    """
    mode = mode_in_scope(s, subject)
    if mode.read_only:
        raise OperationNotPermitted(f"Subject {subject} is in read-only mode")
    if importing and mode != Mode.IMPORT:
        raise OperationNotPermitted(f"Subject {subject} is not in import mode")
    if not importing and mode != Mode.READWRITE:
        raise OperationNotPermitted(f"Subject {subject} is not in read-write mode")
    return mode


def _has_live_subjects(s: Session, subject: str | None) -> bool:
    """Confluent's ``hasSubjects``: a live version in ``subject`` (None: in any subject)."""
    q = select(SubjectVersionRow.id).where(SubjectVersionRow.deleted.is_(False))
    if subject is not None:
        q = q.join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id).where(
            SubjectRow.name == subject
        )
    return s.execute(q.limit(1)).first() is not None


def forget_subject_settings(s: Session, subject: str) -> None:
    """Drop a subject's own level and mode (Confluent does so when its last version goes)."""
    for table in (ConfigRow, ModeRow):
        own = s.get(table, subject)
        if own is not None:
            s.delete(own)


class ConfigStore:
    """Levels and modes on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def compatibility(self, subject: str | None = None, *, fallback: bool = True) -> str:
        """The level for ``subject`` (its own, else global when ``fallback``), or the global one."""
        with self._session() as s:
            return compatibility_of(s, subject, fallback=fallback)

    def mode(self, subject: str | None = None, *, fallback: bool = True) -> str:
        """The mode for ``subject`` (its own, else global when ``fallback``), or the global one.

        A global READONLY_OVERRIDE is every subject's mode, as Confluent answers it.
        """
        with self._session() as s:
            glob = mode_of(s, None)
            if subject is not None and glob == Mode.READONLY_OVERRIDE:
                return glob
            return mode_of(s, subject, fallback=fallback)

    def set_compatibility(self, subject: str | None, level: str | None, *, actor: str) -> str:
        """Set the level of ``subject`` (or the global one when ``None``)."""
        try:
            value = CompatibilityLevel((level or "").upper()).value
        except ValueError:
            raise InvalidCompatibilityLevel(_INVALID_LEVEL) from None
        if subject is not None:
            check_subject(subject)
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            row = s.get(ConfigRow, scope)
            if row is None:
                s.add(ConfigRow(scope=scope, compatibility=value))
            else:
                row.compatibility = value
            audit(s, actor, "set_config", subject, {"compatibility": value})
            return value

    def delete_compatibility(self, subject: str | None, *, actor: str) -> str:
        """Drop the level of ``subject`` (or reset the global one); return the level it had.

        A subject without a level of its own answers 40401, as Confluent's DELETE does.
        """
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            row = s.get(ConfigRow, scope)
            if row is None:
                if subject is not None:
                    raise SubjectNotFound(subject)
                old = DEFAULT_COMPATIBILITY.value
            else:
                old = row.compatibility
                s.delete(row)
            audit(s, actor, "delete_config", subject, {"compatibility": old})
            return old

    def set_mode(
        self, subject: str | None, mode: str | None, *, actor: str, force: bool = False
    ) -> str:
        """Set the mode of ``subject`` (or the global one when ``None``).

        Entering IMPORT needs the subject (or, globally, every subject) to hold no live
        version, unless ``force``: imported ids must not meet the registry's own (42205).
        """
        value = Mode.parse(mode or "")
        if subject is not None:
            check_subject(subject, reserved=False)
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            row = s.get(ModeRow, scope)
            entering_import = value == Mode.IMPORT and (row is None or row.mode != Mode.IMPORT)
            if entering_import and not force and _has_live_subjects(s, subject):
                raise OperationNotPermitted("Cannot import since found existing subjects")
            if row is None:
                s.add(ModeRow(scope=scope, mode=value))
            else:
                row.mode = value
            audit(s, actor, "set_mode", subject, {"mode": value})
            return value

    def delete_mode(self, subject: str | None, *, actor: str) -> str:
        """Drop the mode of ``subject`` (or reset the global one); return the mode it had.

        A subject without a mode of its own answers 40401, as Confluent's DELETE does.
        """
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            row = s.get(ModeRow, scope)
            if row is None:
                if subject is not None:
                    raise SubjectNotFound(subject)
                old = Mode.READWRITE.value
            else:
                old = row.mode
                s.delete(row)
            audit(s, actor, "delete_mode", subject, {"mode": old})
            return old
