"""Subjects, versions, global ids, config and modes in SQL: the registry's one source of truth.

Every write happens in one transaction together with its audit row, so the audit trail never
misses a change nor records one that was rolled back. Version numbers grow per subject and are
never reused while a soft-deleted version still holds its number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.registry.compat import CompatibilityLevel, Incompatibility, check_compatibility
from hub.registry.document import SCHEMA_TYPE, SchemaDocument
from hub.registry.errors import (
    IncompatibleSchema,
    InvalidCompatibilityLevel,
    InvalidSubject,
    InvalidVersion,
    OperationNotPermitted,
    SchemaNotFound,
    SubjectCompatibilityNotConfigured,
    SubjectModeNotConfigured,
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from hub.registry.mode import Mode
from hub.registry.tables import (
    GLOBAL_SCOPE,
    AuditRow,
    ConfigRow,
    ModeRow,
    SchemaRow,
    SubjectRow,
    SubjectVersionRow,
)

__all__ = [
    "DEFAULT_COMPATIBILITY",
    "LATEST",
    "RegisteredVersion",
    "SchemaStore",
    "StoredSchema",
    "parse_version",
]

DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD
"""Confluent's default level, with its strict rules for open content models."""

LATEST = -1
"""The version number standing for "the newest live version" (``latest`` or ``-1``)."""

_MAX_VERSION = 2**31 - 1
_WRITE_RETRIES = 3


def parse_version(version: str | int) -> int:
    """``latest``/``-1`` → ``LATEST``; a number in [1, 2^31-1] → itself; else ``InvalidVersion``."""
    if isinstance(version, str) and version.strip().lower() == "latest":
        return LATEST
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise InvalidVersion(str(version)) from None
    if number == LATEST or 1 <= number <= _MAX_VERSION:
        return number
    raise InvalidVersion(str(version))


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """A schema by global id."""

    id: int
    schema_type: str
    text: str

    @property
    def value(self) -> Any:
        """The parsed schema."""
        return json.loads(self.text)


@dataclass(frozen=True, slots=True)
class RegisteredVersion:
    """One version of a subject and the schema it holds."""

    subject: str
    version: int
    schema: StoredSchema
    deleted: bool = False


def _as_mapping(value: Any) -> Mapping[str, Any]:
    # The checker compares objects; the boolean schemas mean "anything" and "nothing".
    if value is True:
        return {}
    if value is False:
        return {"not": {}}
    return dict(value)


class SchemaStore:
    """The registry's storage operations on one engine (tables made by ``hub.migrations``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- reads ---------------------------------------------------------------------------------
    def subjects(
        self, *, prefix: str = "", deleted: bool = False, deleted_only: bool = False
    ) -> list[str]:
        """Subject names, sorted; soft-deleted subjects only when asked."""
        with self._session() as s:
            live = func.max(case((SubjectVersionRow.deleted.is_(False), 1), else_=0))
            q = (
                select(SubjectRow.name, live)
                .join(SubjectVersionRow, SubjectVersionRow.subject_id == SubjectRow.id)
                .group_by(SubjectRow.name)
                .order_by(SubjectRow.name)
            )
            if prefix:
                q = q.where(SubjectRow.name.startswith(prefix, autoescape=True))
            names = []
            for name, live_count in s.execute(q):
                is_live = bool(live_count)
                if deleted_only:
                    if not is_live:
                        names.append(name)
                elif is_live or deleted:
                    names.append(name)
            return names

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        """The subject's version numbers, ascending; ``SubjectNotFound`` when it has none."""
        with self._session() as s:
            rows = self._version_rows(s, subject, deleted=deleted)
            return [r.version for r in rows]

    def version(self, subject: str, version: int, *, deleted: bool = False) -> RegisteredVersion:
        """Version ``version`` (or ``LATEST``) of ``subject``."""
        with self._session() as s:
            row = self._find_version(s, subject, version, deleted=deleted)
            schema = s.get_one(SchemaRow, row.schema_id)
            return RegisteredVersion(subject, row.version, _stored(schema), row.deleted)

    def all_versions(self, subject: str) -> list[RegisteredVersion]:
        """Every live version of ``subject``, oldest first."""
        with self._session() as s:
            rows = self._version_rows(s, subject, deleted=False)
            return [
                RegisteredVersion(subject, r.version, _stored(s.get_one(SchemaRow, r.schema_id)))
                for r in rows
            ]

    def schema(self, schema_id: int, *, subject: str | None = None) -> StoredSchema:
        """The schema with global id ``schema_id``, while some version (even soft-deleted) holds it.

        With ``subject``, the schema must be registered under that subject.
        """
        _check_schema_id(schema_id)
        with self._session() as s:
            q = select(SubjectVersionRow.id).where(SubjectVersionRow.schema_id == schema_id)
            if subject is not None:
                q = q.join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id).where(
                    SubjectRow.name == subject
                )
            row = s.get(SchemaRow, schema_id)
            if row is None or s.execute(q.limit(1)).first() is None:
                raise SchemaNotFound(f"Schema {schema_id} not found")
            return _stored(row)

    def usages(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        """``(subject, version)`` pairs holding schema ``schema_id``, sorted."""
        _check_schema_id(schema_id)
        with self._session() as s:
            if s.get(SchemaRow, schema_id) is None:
                raise SchemaNotFound(f"Schema {schema_id} not found")
            q = (
                select(SubjectRow.name, SubjectVersionRow.version)
                .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
                .where(SubjectVersionRow.schema_id == schema_id)
                .order_by(SubjectRow.name, SubjectVersionRow.version)
            )
            if not deleted:
                q = q.where(SubjectVersionRow.deleted.is_(False))
            pairs = [(name, version) for name, version in s.execute(q)]
            if not pairs and not deleted:
                raise SchemaNotFound(f"Schema {schema_id} not found")
            return pairs

    def lookup(
        self, subject: str, document: SchemaDocument, *, deleted: bool = False
    ) -> RegisteredVersion:
        """The newest version of ``subject`` holding ``document``; ``SchemaNotFound`` if none."""
        with self._session() as s:
            subject_row = self._subject(s, subject)
            q = (
                select(SubjectVersionRow, SchemaRow)
                .join(SchemaRow, SchemaRow.id == SubjectVersionRow.schema_id)
                .where(SubjectVersionRow.subject_id == subject_row.id)
                .where(SchemaRow.fingerprint == document.fingerprint)
                .order_by(SubjectVersionRow.version.desc())
            )
            if not deleted:
                q = q.where(SubjectVersionRow.deleted.is_(False))
            found = s.execute(q.limit(1)).first()
            if found is None:
                if not deleted and not self._has_live_version(s, subject_row.id):
                    raise SubjectNotFound(subject)
                raise SchemaNotFound("Schema not found")
            version_row, schema_row = found
            return RegisteredVersion(
                subject, version_row.version, _stored(schema_row), version_row.deleted
            )

    def compatibility(self, subject: str | None = None, *, fallback: bool = True) -> str:
        """The level for ``subject`` (its own, else global when ``fallback``), or the global one."""
        with self._session() as s:
            if subject is not None:
                own = s.get(ConfigRow, subject)
                if own is not None:
                    return own.compatibility
                if not fallback:
                    raise SubjectCompatibilityNotConfigured(subject)
            row = s.get(ConfigRow, GLOBAL_SCOPE)
            return row.compatibility if row else DEFAULT_COMPATIBILITY.value

    def mode(self, subject: str | None = None, *, fallback: bool = True) -> str:
        """The mode for ``subject`` (its own, else global when ``fallback``), or the global one."""
        with self._session() as s:
            return self._mode(s, subject, fallback=fallback)

    def check(
        self, subject: str, document: SchemaDocument, version: int | None
    ) -> list[Incompatibility]:
        """Findings of ``document`` against one version, or (``None``) all live ones by level."""
        level = CompatibilityLevel(self.compatibility(subject))
        if version is None:
            existing = self.all_versions(subject)
        else:
            existing = [self.version(subject, version)]
        return check_compatibility(
            _as_mapping(document.value),
            [_as_mapping(v.schema.value) for v in existing],
            level,
            versions=[v.version for v in existing],
        )

    def audit_log(self, *, limit: int = 100) -> list[AuditRow]:
        """The newest audit rows first."""
        with self._session() as s:
            q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            return list(s.scalars(q))

    # -- writes --------------------------------------------------------------------------------
    def register(
        self, subject: str, document: SchemaDocument, *, actor: str, check: bool = True
    ) -> RegisteredVersion:
        """Register ``document`` under ``subject`` (or return the live version already holding it).

        With ``check``, the subject's compatibility level must hold, else ``IncompatibleSchema``.
        """
        _check_subject(subject)
        for attempt in range(_WRITE_RETRIES):
            try:
                return self._register(subject, document, actor=actor, check=check)
            except IntegrityError:
                # Two writers raced for the same fingerprint or version number: the loser
                # retries and finds the winner's row.
                if attempt == _WRITE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _register(
        self, subject: str, document: SchemaDocument, *, actor: str, check: bool
    ) -> RegisteredVersion:
        with self._session() as s:
            self._require_writable(s, subject)
            subject_row = s.scalar(select(SubjectRow).where(SubjectRow.name == subject))
            if subject_row is None:
                subject_row = SubjectRow(name=subject)
                s.add(subject_row)
                s.flush()
            rows = list(
                s.scalars(
                    select(SubjectVersionRow)
                    .where(SubjectVersionRow.subject_id == subject_row.id)
                    .order_by(SubjectVersionRow.version)
                )
            )
            schema_row = s.scalar(
                select(SchemaRow).where(SchemaRow.fingerprint == document.fingerprint)
            )
            live = [r for r in rows if not r.deleted]
            if schema_row is not None:
                for r in reversed(live):
                    if r.schema_id == schema_row.id:
                        return RegisteredVersion(subject, r.version, _stored(schema_row))
            if check and live:
                self._check_rows(s, subject, document, live)
            if schema_row is None:
                schema_row = SchemaRow(
                    fingerprint=document.fingerprint,
                    schema_type=SCHEMA_TYPE,
                    schema_text=document.text,
                )
                s.add(schema_row)
                s.flush()
            number = max((r.version for r in rows), default=0) + 1
            s.add(
                SubjectVersionRow(
                    subject_id=subject_row.id, version=number, schema_id=schema_row.id
                )
            )
            _audit(s, actor, "register", subject, {"version": number, "id": schema_row.id})
            return RegisteredVersion(subject, number, _stored(schema_row))

    def _check_rows(
        self,
        s: Session,
        subject: str,
        document: SchemaDocument,
        live: Sequence[SubjectVersionRow],
    ) -> None:
        own = s.get(ConfigRow, subject) or s.get(ConfigRow, GLOBAL_SCOPE)
        level = CompatibilityLevel(own.compatibility if own else DEFAULT_COMPATIBILITY)
        existing = [
            _as_mapping(json.loads(s.get_one(SchemaRow, r.schema_id).schema_text)) for r in live
        ]
        findings = check_compatibility(
            _as_mapping(document.value), existing, level, versions=[r.version for r in live]
        )
        if findings:
            raise IncompatibleSchema(level.value, findings)

    def delete_version(self, subject: str, version: int, *, permanent: bool, actor: str) -> int:
        """Soft-delete a version, or remove one already soft-deleted (``permanent``)."""
        with self._session() as s:
            self._require_writable(s, subject)
            row = self._find_version(s, subject, version, deleted=permanent)
            if permanent:
                if not row.deleted:
                    raise VersionNotSoftDeleted(subject, row.version)
                s.delete(row)
            else:
                if row.deleted:  # pragma: no cover - _find_version skips deleted rows
                    raise VersionSoftDeleted(subject, row.version)
                row.deleted = True
            action = "delete_version_permanent" if permanent else "delete_version"
            _audit(s, actor, action, subject, {"version": row.version})
            return row.version

    def delete_subject(self, subject: str, *, permanent: bool, actor: str) -> list[int]:
        """Soft-delete every version of a subject, or remove a soft-deleted subject for good."""
        with self._session() as s:
            self._require_writable(s, subject)
            subject_row = self._subject(s, subject)
            rows = list(
                s.scalars(
                    select(SubjectVersionRow)
                    .where(SubjectVersionRow.subject_id == subject_row.id)
                    .order_by(SubjectVersionRow.version)
                )
            )
            live = [r for r in rows if not r.deleted]
            if permanent:
                if live:
                    raise SubjectNotSoftDeleted(subject)
                s.execute(
                    delete(SubjectVersionRow).where(SubjectVersionRow.subject_id == subject_row.id)
                )
                s.delete(subject_row)
                for table in (ConfigRow, ModeRow):
                    own = s.get(table, subject)
                    if own is not None:
                        s.delete(own)
                numbers = [r.version for r in rows]
            else:
                if not live:
                    raise SubjectSoftDeleted(subject)
                for r in live:
                    r.deleted = True
                numbers = [r.version for r in live]
            action = "delete_subject_permanent" if permanent else "delete_subject"
            _audit(s, actor, action, subject, {"versions": numbers})
            return numbers

    def set_compatibility(self, subject: str | None, level: str, *, actor: str) -> str:
        """Set the level of ``subject`` (or the global one when ``None``)."""
        try:
            value = CompatibilityLevel(level.upper()).value
        except ValueError:
            raise InvalidCompatibilityLevel(
                f"Invalid compatibility level {level!r}. Valid values are "
                f"{', '.join(CompatibilityLevel)}"
            ) from None
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            if subject is not None:
                _check_subject(subject)
            row = s.get(ConfigRow, scope)
            if row is None:
                s.add(ConfigRow(scope=scope, compatibility=value))
            else:
                row.compatibility = value
            _audit(s, actor, "set_config", subject, {"compatibility": value})
            return value

    def delete_compatibility(self, subject: str | None, *, actor: str) -> str:
        """Drop the level of ``subject`` (or reset the global one); return the level it had."""
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            row = s.get(ConfigRow, scope)
            if row is None:
                if subject is not None:
                    raise SubjectCompatibilityNotConfigured(subject)
                old = DEFAULT_COMPATIBILITY.value
            else:
                old = row.compatibility
                s.delete(row)
            _audit(s, actor, "delete_config", subject, {"compatibility": old})
            return old

    def set_mode(self, subject: str | None, mode: str, *, actor: str) -> str:
        """Set the mode of ``subject`` (or the global one when ``None``)."""
        value = Mode.parse(mode)
        with self._session() as s:
            scope = subject if subject is not None else GLOBAL_SCOPE
            row = s.get(ModeRow, scope)
            if row is None:
                s.add(ModeRow(scope=scope, mode=value))
            else:
                row.mode = value
            _audit(s, actor, "set_mode", subject, {"mode": value})
            return value

    def delete_mode(self, subject: str, *, actor: str) -> str:
        """Drop the mode of ``subject``; return the mode it had."""
        with self._session() as s:
            row = s.get(ModeRow, subject)
            if row is None:
                raise SubjectModeNotConfigured(subject)
            s.delete(row)
            _audit(s, actor, "delete_mode", subject, {"mode": row.mode})
            return row.mode

    def record(
        self, actor: str, action: str, subject: str | None, detail: Mapping[str, Any]
    ) -> None:
        """Add an audit row for a write done outside the store (e.g. a token created)."""
        with self._session() as s:
            _audit(s, actor, action, subject, detail)

    # -- internals -----------------------------------------------------------------------------
    def _subject(self, s: Session, subject: str) -> SubjectRow:
        row = s.scalar(select(SubjectRow).where(SubjectRow.name == subject))
        if row is None:
            raise SubjectNotFound(subject)
        return row

    def _has_live_version(self, s: Session, subject_id: int) -> bool:
        q = select(SubjectVersionRow.id).where(
            SubjectVersionRow.subject_id == subject_id, SubjectVersionRow.deleted.is_(False)
        )
        return s.execute(q.limit(1)).first() is not None

    def _version_rows(self, s: Session, subject: str, *, deleted: bool) -> list[SubjectVersionRow]:
        subject_row = self._subject(s, subject)
        q = (
            select(SubjectVersionRow)
            .where(SubjectVersionRow.subject_id == subject_row.id)
            .order_by(SubjectVersionRow.version)
        )
        if not deleted:
            q = q.where(SubjectVersionRow.deleted.is_(False))
        rows = list(s.scalars(q))
        if not rows:
            raise SubjectNotFound(subject)
        return rows

    def _find_version(
        self, s: Session, subject: str, version: int, *, deleted: bool
    ) -> SubjectVersionRow:
        subject_row = self._subject(s, subject)
        q = select(SubjectVersionRow).where(SubjectVersionRow.subject_id == subject_row.id)
        if version == LATEST:
            q = q.where(SubjectVersionRow.deleted.is_(False)).order_by(
                SubjectVersionRow.version.desc()
            )
            row = s.scalar(q.limit(1))
            if row is None:
                raise SubjectNotFound(subject)
            return row
        row = s.scalar(q.where(SubjectVersionRow.version == version))
        if row is None:
            raise VersionNotFound(subject, version)
        if row.deleted and not deleted:
            raise VersionNotFound(subject, version)
        return row

    def _mode(self, s: Session, subject: str | None, *, fallback: bool) -> str:
        if subject is not None:
            own = s.get(ModeRow, subject)
            if own is not None:
                return own.mode
            if not fallback:
                raise SubjectModeNotConfigured(subject)
        row = s.get(ModeRow, GLOBAL_SCOPE)
        return row.mode if row else Mode.READWRITE.value

    def _require_writable(self, s: Session, subject: str) -> None:
        mode = self._mode(s, subject, fallback=True)
        if mode != Mode.READWRITE:
            raise OperationNotPermitted(
                f"Subject {subject} is in {mode} mode; set the mode to READWRITE "
                "(PUT /mode or /mode/{subject}) to change it"
            )


def _stored(row: SchemaRow) -> StoredSchema:
    return StoredSchema(row.id, row.schema_type, row.schema_text)


def _audit(
    s: Session, actor: str, action: str, subject: str | None, detail: Mapping[str, Any]
) -> None:
    s.add(AuditRow(actor=actor, action=action, subject=subject, detail=dict(detail)))


def _check_schema_id(schema_id: int) -> None:
    # Ids are 32-bit on the wire (Confluent's framing); anything else names no schema, and
    # must not reach the database driver, which rejects integers beyond 64 bits.
    if not 1 <= schema_id <= _MAX_VERSION:
        raise SchemaNotFound(f"Schema {schema_id} not found")


def _check_subject(subject: str) -> None:
    if not subject.strip() or any(ord(c) < 32 for c in subject):
        raise InvalidSubject(f"Invalid subject {subject!r}: it must be a non-empty printable name")
