"""Subjects, versions and global ids in SQL: the registry's one source of truth.

Every write happens in one transaction together with its audit row, so the audit trail never
misses a change nor records one that was rolled back. Version numbers grow per subject and are
never reused while a soft-deleted version still holds its number. Which error answers which
miss follows Confluent's registry (``SubjectVersionsResource``, ``KafkaSchemaRegistry``): a
subject whose versions are all soft-deleted is "not found" (40401) unless deleted ones were
asked for, ``latest`` is the newest live version, and so on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, delete, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.registry.compat import CompatibilityLevel, Incompatibility, check_compatibility
from hub.registry.config_store import (
    ConfigStore,
    audit,
    check_subject,
    compatibility_of,
    forget_subject_settings,
    require_registrable,
    require_writable,
)
from hub.registry.document import SCHEMA_TYPE, SchemaDocument, parse_schema
from hub.registry.errors import (
    IdDoesNotMatch,
    IncompatibleSchema,
    InvalidVersion,
    OperationNotPermitted,
    ReferenceExists,
    SchemaNotFound,
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from hub.registry.mode import Mode
from hub.registry.reference_rows import (
    LATEST,
    add_references,
    references_by_schema,
    references_of,
    referrers,
    resolve_references,
    resources_of,
)
from hub.registry.references import Reference, bundle
from hub.registry.tables import AuditRow, SchemaRow, SubjectRow, SubjectVersionRow

__all__ = [
    "LATEST",
    "RegisteredVersion",
    "SchemaStore",
    "StoredSchema",
    "parse_version",
]

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
class _Imported:
    """The id and version a registration in IMPORT mode brings (None: the registry picks)."""

    schema_id: int | None
    version: int | None


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """A schema by global id, with the references that are part of it."""

    id: int
    schema_type: str
    text: str
    references: tuple[Reference, ...] = ()

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


_ALL_CONTEXTS = ":*:"
"""Confluent's wildcard context in a ``subjectPrefix``: its own default for ``GET /subjects``
and what the Confluent CLI's ``subject list`` sends unless told another prefix."""


def _named_from(prefix: str) -> ColumnElement[bool]:
    """The subjects whose names start with ``prefix``, read as Confluent reads ``subjectPrefix``.

    A leading ``:*:`` asks for the rest of the prefix in every context (``KafkaSchemaRegistry``'s
    ``allVersions``); here the default context is the only one, so it asks for the rest alone.
    """
    if prefix.startswith(_ALL_CONTEXTS):
        prefix = prefix[len(_ALL_CONTEXTS) :]
    if not prefix:
        return true()
    return SubjectRow.name.startswith(prefix, autoescape=True)


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
        self.config = ConfigStore(engine)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- documents -----------------------------------------------------------------------------
    def document(
        self,
        text: str | None,
        schema_type: str | None = SCHEMA_TYPE,
        references: Sequence[Reference] = (),
        *,
        new: bool = True,
        normalize: bool = False,
    ) -> SchemaDocument:
        """Parse a schema sent by a client, its references resolved against this registry.

        A schema to register or test (``new``) may only name live versions; a lookup may
        name soft-deleted ones too (Confluent's ``validateAsNew``). ``normalize`` sorts its
        keys first.
        """
        with self._session() as s:
            return _parse(s, text, schema_type, references, new=new, normalize=normalize)

    # -- reads ---------------------------------------------------------------------------------
    def subjects(
        self,
        *,
        prefix: str = "",
        deleted: bool = False,
        deleted_only: bool = False,
    ) -> list[str]:
        """Subject names, sorted: with a live version; any (``deleted``); all deleted (only)."""
        with self._session() as s:
            live = func.max(case((SubjectVersionRow.deleted.is_(False), 1), else_=0))
            q = (
                select(SubjectRow.name, live)
                .join(SubjectVersionRow, SubjectVersionRow.subject_id == SubjectRow.id)
                .group_by(SubjectRow.name)
                .order_by(SubjectRow.name)
            )
            q = q.where(_named_from(prefix))
            names = []
            for name, live_count in s.execute(q):
                is_live = bool(live_count)
                if deleted_only:
                    if not is_live:
                        names.append(name)
                elif is_live or deleted:
                    names.append(name)
            return names

    def versions(
        self, subject: str, *, deleted: bool = False, deleted_only: bool = False
    ) -> list[int]:
        """The subject's version numbers, ascending; ``SubjectNotFound`` when it has none."""
        with self._session() as s:
            rows = self._version_rows(s, subject)
            if not any(deleted or deleted_only or not r.deleted for r in rows):
                raise SubjectNotFound(subject)
            if deleted_only:
                return [r.version for r in rows if r.deleted]
            return [r.version for r in rows if deleted or not r.deleted]

    def version(self, subject: str, version: int, *, deleted: bool = False) -> RegisteredVersion:
        """Version ``version`` (or ``LATEST``, the newest live one) of ``subject``."""
        with self._session() as s:
            row = self._find_version(s, subject, version, deleted=deleted)
            return self._registered(s, subject, row)

    def schema(self, schema_id: int) -> StoredSchema:
        """The schema with global id ``schema_id``, while a version (even soft-deleted) holds it."""
        _check_schema_id(schema_id)
        with self._session() as s:
            q = select(SubjectVersionRow.id).where(SubjectVersionRow.schema_id == schema_id)
            row = s.get(SchemaRow, schema_id)
            if row is None or s.execute(q.limit(1)).first() is None:
                raise SchemaNotFound(schema_id)
            return _stored(s, row)

    def max_schema_id(self) -> int:
        """The highest global id given so far (0 when none)."""
        with self._session() as s:
            return int(s.scalar(select(func.max(SchemaRow.id))) or 0)

    def usages(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        """``(subject, version)`` pairs holding schema ``schema_id``, sorted.

        Soft-deleted pairs only with ``deleted``; the answer may be empty, but a schema that
        no version holds any more (not even soft-deleted) is ``SchemaNotFound``.
        """
        _check_schema_id(schema_id)
        with self._session() as s:
            q = (
                select(SubjectRow.name, SubjectVersionRow.version, SubjectVersionRow.deleted)
                .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
                .where(SubjectVersionRow.schema_id == schema_id)
                .order_by(SubjectRow.name, SubjectVersionRow.version)
            )
            rows = list(s.execute(q))
            if not rows:
                raise SchemaNotFound(schema_id)
            return [(name, version) for name, version, gone in rows if deleted or not gone]

    def listing(
        self, *, prefix: str = "", deleted: bool = False, latest_only: bool = False
    ) -> list[RegisteredVersion]:
        """Every version of the subjects starting with ``prefix``, by subject then version.

        Soft-deleted versions only with ``deleted``; ``latest_only`` keeps each subject's last.
        """
        with self._session() as s:
            q = (
                select(SubjectRow.name, SubjectVersionRow, SchemaRow)
                .join(SubjectVersionRow, SubjectVersionRow.subject_id == SubjectRow.id)
                .join(SchemaRow, SchemaRow.id == SubjectVersionRow.schema_id)
                .order_by(SubjectRow.name, SubjectVersionRow.version)
            )
            q = q.where(_named_from(prefix))
            if not deleted:
                q = q.where(SubjectVersionRow.deleted.is_(False))
            found = [(name, row, schema) for name, row, schema in s.execute(q)]
            if latest_only:
                last = {name: row for name, row, _ in found}
                found = [(name, row, schema) for name, row, schema in found if last[name] is row]
            # one query for every listed schema's references, not one per version
            refs = references_by_schema(s, [schema.id for _, _, schema in found])
            return [
                RegisteredVersion(
                    name,
                    row.version,
                    StoredSchema(
                        schema.id, schema.schema_type, schema.schema_text, refs.get(schema.id, ())
                    ),
                    row.deleted,
                )
                for name, row, schema in found
            ]

    def lookup(
        self, subject: str, document: SchemaDocument | None, *, deleted: bool = False
    ) -> RegisteredVersion:
        """The newest version of ``subject`` holding ``document``; ``SchemaNotFound`` if none.

        ``None`` (no schema sent) matches nothing, as in Confluent.
        """
        with self._session() as s:
            subject_row = s.scalar(select(SubjectRow).where(SubjectRow.name == subject))
            found = None
            if subject_row is not None and document is not None:
                q = (
                    select(SubjectVersionRow)
                    .join(SchemaRow, SchemaRow.id == SubjectVersionRow.schema_id)
                    .where(SubjectVersionRow.subject_id == subject_row.id)
                    .where(SchemaRow.fingerprint.in_(document.fingerprints))
                    .order_by(SubjectVersionRow.version.desc())
                )
                if not deleted:
                    q = q.where(SubjectVersionRow.deleted.is_(False))
                found = s.scalars(q.limit(1)).first()
            if found is None:
                if not self._has_versions(s, subject, deleted=deleted):
                    raise SubjectNotFound(subject)
                raise SchemaNotFound()
            return self._registered(s, subject, found)

    def referenced_by(self, subject: str, version: int) -> list[int]:
        """Ids of the live schemas whose references name this version (deleted ones found too)."""
        with self._session() as s:
            row = self._find_version(s, subject, version, deleted=True)
            return referrers(s, subject, row.version)

    def resources(self, references: Sequence[Reference]) -> dict[str, Any]:
        """The schemas a stored schema's references reach, by name."""
        if not references:
            return {}
        with self._session() as s:
            return resources_of(s, references)

    def check(
        self,
        subject: str,
        version: int | None,
        text: str | None,
        schema_type: str | None = SCHEMA_TYPE,
        references: Sequence[Reference] = (),
    ) -> list[Incompatibility]:
        """Findings of a schema against one live version, or (``None``) all by level.

        In Confluent's order: a missing version number (not ``latest``) is ``VersionNotFound``
        whether or not the subject exists, then the schema is parsed (``InvalidSchema``);
        nothing registered means nothing to be incompatible with.
        """
        with self._session() as s:
            level = CompatibilityLevel(compatibility_of(s, subject))
            rows = [r for r in self._version_rows(s, subject, missing_ok=True) if not r.deleted]
            if version == LATEST:
                rows = rows[-1:]
            elif version is not None:
                rows = [r for r in rows if r.version == version]
                if not rows:
                    raise VersionNotFound(subject, version)
            document = _parse(s, text, schema_type, references, new=True)
            return self._findings(s, document, rows, level)

    def audit_log(self, *, limit: int = 100) -> list[AuditRow]:
        """The newest audit rows first."""
        with self._session() as s:
            q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            return list(s.scalars(q))

    # -- writes --------------------------------------------------------------------------------
    def register(
        self,
        subject: str,
        document: SchemaDocument,
        *,
        actor: str,
        check: bool = True,
        schema_id: int | None = None,
        version: int | None = None,
    ) -> RegisteredVersion:
        """Register ``document`` under ``subject`` (or return the live version already holding it).

        With ``check``, the subject's compatibility level must hold, else ``IncompatibleSchema``.
        A ``schema_id`` (not negative) or ``version`` (above 0) imports the schema as that id
        and version: the subject must be in IMPORT mode, and no compatibility is checked.
        """
        check_subject(subject)
        imported = _Imported(
            schema_id if schema_id is not None and schema_id >= 0 else None,
            version if version is not None and version > 0 else None,
        )
        for attempt in range(_WRITE_RETRIES):
            try:
                return self._register(subject, document, actor=actor, check=check, wanted=imported)
            except IntegrityError:
                # Two writers raced for the same fingerprint, id or version number: the
                # loser retries and finds the winner's row.
                if attempt == _WRITE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _register(
        self, subject: str, document: SchemaDocument, *, actor: str, check: bool, wanted: _Imported
    ) -> RegisteredVersion:
        with self._session() as s:
            importing = wanted.schema_id is not None or wanted.version is not None
            mode = require_registrable(s, subject, importing=importing)
            subject_row = s.scalar(select(SubjectRow).where(SubjectRow.name == subject))
            if subject_row is None:
                subject_row = SubjectRow(name=subject)
                s.add(subject_row)
                s.flush()
            rows = self._version_rows(s, subject, missing_ok=True)
            schema_row = _held_row(s, document)
            if schema_row is not None and wanted.schema_id not in (None, schema_row.id):
                raise IdDoesNotMatch(schema_row.id, wanted.schema_id)
            live = [r for r in rows if not r.deleted]
            if schema_row is not None:
                for r in reversed(live):
                    if r.schema_id == schema_row.id:
                        return self._registered(s, subject, r)
            if check and live and mode != Mode.IMPORT:
                level = CompatibilityLevel(compatibility_of(s, subject))
                findings = self._findings(s, document, live, level)
                if findings:
                    raise IncompatibleSchema(subject, level.value, findings)
            if schema_row is None:
                schema_row = _new_schema_row(s, document, wanted.schema_id)
            number = _place_version(s, subject_row.id, rows, schema_row.id, wanted.version)
            audit(s, actor, "register", subject, {"version": number, "id": schema_row.id})
            return RegisteredVersion(subject, number, _stored(s, schema_row))

    def delete_version(self, subject: str, version: int, *, permanent: bool, actor: str) -> int:
        """Soft-delete a version, or remove one already soft-deleted (``permanent``).

        The checks come in Confluent's order: an already soft-deleted version (40406), a
        missing subject or version (40401/40402), the mode (42205), live schemas referring to
        the version (42206), a permanent delete of a live version (40407).
        """
        with self._session() as s:
            if version != LATEST and not permanent:
                existing = self._version_row(s, subject, version)
                if existing is not None and existing.deleted:
                    raise VersionSoftDeleted(subject, version)
            row = self._find_version(s, subject, version, deleted=True, any_version=True)
            require_writable(s, subject)
            if referrers(s, subject, row.version):
                raise ReferenceExists(subject, row.version)
            if permanent:
                if not row.deleted:
                    raise VersionNotSoftDeleted(subject, row.version)
                s.delete(row)
            else:
                row.deleted = True
                s.flush()
                if not self._has_versions(s, subject, deleted=False):
                    forget_subject_settings(s, subject)
            action = "delete_version_permanent" if permanent else "delete_version"
            audit(s, actor, action, subject, {"version": row.version})
            return row.version

    def delete_subject(self, subject: str, *, permanent: bool, actor: str) -> list[int]:
        """Soft-delete every version of a subject, or remove a soft-deleted subject for good."""
        with self._session() as s:
            require_writable(s, subject)
            rows = self._version_rows(s, subject, missing_ok=True)
            if not rows:
                raise SubjectNotFound(subject)
            live = [r for r in rows if not r.deleted]
            if not permanent and not live:
                raise SubjectSoftDeleted(subject)
            for r in rows if permanent else live:
                if referrers(s, subject, r.version):
                    raise ReferenceExists(subject, r.version)
            if permanent:
                if live:
                    raise SubjectNotSoftDeleted(subject)
                subject_id = rows[0].subject_id
                s.execute(
                    delete(SubjectVersionRow).where(SubjectVersionRow.subject_id == subject_id)
                )
                s.execute(delete(SubjectRow).where(SubjectRow.id == subject_id))
                numbers = [r.version for r in rows]
            else:
                for r in live:
                    r.deleted = True
                numbers = [r.version for r in live]
            forget_subject_settings(s, subject)
            action = "delete_subject_permanent" if permanent else "delete_subject"
            audit(s, actor, action, subject, {"versions": numbers})
            return numbers

    def record(
        self, actor: str, action: str, subject: str | None, detail: Mapping[str, Any]
    ) -> None:
        """Add an audit row for a write done outside the store (e.g. a token created)."""
        with self._session() as s:
            audit(s, actor, action, subject, detail)

    # -- internals -----------------------------------------------------------------------------
    def _registered(self, s: Session, subject: str, row: SubjectVersionRow) -> RegisteredVersion:
        schema = _stored(s, s.get_one(SchemaRow, row.schema_id))
        return RegisteredVersion(subject, row.version, schema, row.deleted)

    def _findings(
        self,
        s: Session,
        document: SchemaDocument,
        rows: Sequence[SubjectVersionRow],
        level: CompatibilityLevel,
    ) -> list[Incompatibility]:
        """The checker's findings for ``document`` against ``rows``, references bundled in."""
        existing = []
        for r in rows:
            schema = _stored(s, s.get_one(SchemaRow, r.schema_id))
            value = bundle(schema.value, resources_of(s, schema.references))
            existing.append(_as_mapping(value))
        new = _as_mapping(bundle(document.value, document.resources))
        return check_compatibility(new, existing, level, versions=[r.version for r in rows])

    def _version_rows(
        self, s: Session, subject: str, *, missing_ok: bool = False
    ) -> list[SubjectVersionRow]:
        """Every version row of ``subject`` (soft-deleted too), oldest first."""
        q = (
            select(SubjectVersionRow)
            .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
            .where(SubjectRow.name == subject)
            .order_by(SubjectVersionRow.version)
        )
        rows = list(s.scalars(q))
        if not rows and not missing_ok:
            raise SubjectNotFound(subject)
        return rows

    def _version_row(self, s: Session, subject: str, version: int) -> SubjectVersionRow | None:
        q = (
            select(SubjectVersionRow)
            .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
            .where(SubjectRow.name == subject, SubjectVersionRow.version == version)
        )
        return s.scalars(q).first()

    def _has_versions(self, s: Session, subject: str, *, deleted: bool) -> bool:
        """Confluent's ``hasSubjects``: a live version, or any version with ``deleted``."""
        q = (
            select(SubjectVersionRow.id)
            .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
            .where(SubjectRow.name == subject)
        )
        if not deleted:
            q = q.where(SubjectVersionRow.deleted.is_(False))
        return s.execute(q.limit(1)).first() is not None

    def _find_version(
        self,
        s: Session,
        subject: str,
        version: int,
        *,
        deleted: bool,
        any_version: bool = False,
    ) -> SubjectVersionRow:
        """A version as Confluent's ``getSchemaByVersion`` finds it, or its 40401/40402.

        ``latest`` is the newest live version whatever ``deleted`` says. When nothing is
        found, the subject counts as missing (40401) unless it has versions of the kind
        asked for (live ones; any with ``deleted``, or with ``any_version`` as deletes ask).
        """
        row: SubjectVersionRow | None
        if version == LATEST:
            live = [r for r in self._version_rows(s, subject, missing_ok=True) if not r.deleted]
            row = live[-1] if live else None
        else:
            row = self._version_row(s, subject, version)
            if row is not None and row.deleted and not deleted:
                row = None
        if row is None:
            if not self._has_versions(s, subject, deleted=deleted or any_version):
                raise SubjectNotFound(subject)
            raise VersionNotFound(subject, version)
        return row


def _held_row(s: Session, document: SchemaDocument) -> SchemaRow | None:
    """The stored row of ``document``: by its own fingerprint, else (a row stored before key
    order was kept) by its sorted one."""
    for key in document.fingerprints:
        row = s.scalar(select(SchemaRow).where(SchemaRow.fingerprint == key))
        if row is not None:
            return row
    return None


def _new_schema_row(s: Session, document: SchemaDocument, schema_id: int | None) -> SchemaRow:
    """Store a schema not held yet, as ``schema_id`` (an import's) or the next id."""
    if schema_id is not None and s.get(SchemaRow, schema_id) is not None:
        raise OperationNotPermitted(f"Overwrite new schema with id {schema_id} is not permitted.")
    # Ids are given as the highest so far plus one (Confluent's incremental generator), so
    # an imported id never meets a later one.
    new_id = schema_id or int(s.scalar(select(func.max(SchemaRow.id))) or 0) + 1
    row = SchemaRow(
        id=new_id,
        fingerprint=document.fingerprint,
        schema_type=SCHEMA_TYPE,
        schema_text=document.text,
    )
    s.add(row)
    s.flush()
    add_references(s, row.id, document.references)
    return row


def _place_version(
    s: Session,
    subject_id: int,
    rows: Sequence[SubjectVersionRow],
    schema_id: int,
    version: int | None,
) -> int:
    """Make ``schema_id`` a version of the subject: ``version`` (an import's) or the next one."""
    number = version or max((r.version for r in rows), default=0) + 1
    taken = next((r for r in rows if r.version == number), None)
    if taken is not None:
        # An import names the version: it replaces what held it, as Confluent's store
        # overwrites the key.
        taken.schema_id, taken.deleted = schema_id, False
    else:
        s.add(SubjectVersionRow(subject_id=subject_id, version=number, schema_id=schema_id))
    for r in rows:
        if r.deleted and r.schema_id == schema_id and r.version < number:
            # Confluent tombstones an older soft-deleted version of the same schema when
            # the schema comes back: the subject lists it once.
            s.delete(r)
    return number


def _parse(
    s: Session,
    text: str | None,
    schema_type: str | None,
    references: Sequence[Reference],
    *,
    new: bool,
    normalize: bool = False,
) -> SchemaDocument:
    resources: dict[str, Any] = {}
    refs: tuple[Reference, ...] = ()
    if references:
        refs, resources = resolve_references(s, references, deleted=not new)
    return parse_schema(text, schema_type, refs, resources, normalize=normalize)


def _stored(s: Session, row: SchemaRow) -> StoredSchema:
    return StoredSchema(row.id, row.schema_type, row.schema_text, references_of(s, row.id))


def _check_schema_id(schema_id: int) -> None:
    # Ids are 32-bit on the wire (Confluent's framing); anything else names no schema, and
    # must not reach the database driver, which rejects integers beyond 64 bits.
    if not 1 <= schema_id <= _MAX_VERSION:
        raise SchemaNotFound(schema_id)
