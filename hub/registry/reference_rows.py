"""Schema references in SQL: storing a schema's references, resolving them, finding referrers.

These run inside the store's sessions (they take the open :class:`Session`), so a
registration resolves, checks and stores its references in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hub.registry.errors import InvalidSchema
from hub.registry.references import Reference
from hub.registry.tables import SchemaReferenceRow, SchemaRow, SubjectRow, SubjectVersionRow

__all__ = [
    "LATEST",
    "add_references",
    "references_by_schema",
    "references_of",
    "referrers",
    "resolve_references",
    "resources_of",
]

LATEST = -1
"""The version number standing for "the newest live version" (``latest`` or ``-1``)."""

_MAX_DEPTH = 64


def references_of(s: Session, schema_id: int) -> tuple[Reference, ...]:
    """The references of a stored schema, in the order they were registered."""
    q = (
        select(SchemaReferenceRow)
        .where(SchemaReferenceRow.schema_id == schema_id)
        .order_by(SchemaReferenceRow.position)
    )
    return tuple(Reference(r.name, r.subject, r.version) for r in s.scalars(q))


def references_by_schema(s: Session, schema_ids: Sequence[int]) -> dict[int, tuple[Reference, ...]]:
    """The references of many stored schemas in one query (those without any are absent)."""
    found: dict[int, list[Reference]] = {}
    q = (
        select(SchemaReferenceRow)
        .where(SchemaReferenceRow.schema_id.in_(set(schema_ids)))
        .order_by(SchemaReferenceRow.schema_id, SchemaReferenceRow.position)
    )
    for r in s.scalars(q):
        found.setdefault(r.schema_id, []).append(Reference(r.name, r.subject, r.version))
    return {schema_id: tuple(refs) for schema_id, refs in found.items()}


def add_references(s: Session, schema_id: int, references: Sequence[Reference]) -> None:
    """Store the references of a schema row just created."""
    for position, ref in enumerate(references):
        s.add(
            SchemaReferenceRow(
                schema_id=schema_id,
                position=position,
                name=ref.name,
                subject=ref.subject,
                version=ref.version,
            )
        )


def _version_row(
    s: Session, subject: str, version: int, *, deleted: bool
) -> SubjectVersionRow | None:
    q = (
        select(SubjectVersionRow)
        .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
        .where(SubjectRow.name == subject)
    )
    if version == LATEST:
        q = q.where(SubjectVersionRow.deleted.is_(False)).order_by(SubjectVersionRow.version.desc())
        return s.scalars(q.limit(1)).first()
    row = s.scalars(q.where(SubjectVersionRow.version == version)).first()
    if row is None or (row.deleted and not deleted):
        return None
    return row


def resolve_references(
    s: Session, references: Sequence[Reference], *, deleted: bool = False
) -> tuple[tuple[Reference, ...], dict[str, Any]]:
    """The references with ``latest`` (-1) made a number, and every schema they reach by name.

    A new schema may only name live versions (``deleted=False``), as in Confluent; a missing
    one is an invalid schema (42201) saying which. The schemas those name in turn are
    followed too (soft-deleted ones included: they were live when registered), the first
    schema given a name keeping it.
    """
    resolved: list[Reference] = []
    resources: dict[str, Any] = {}
    for ref in references:
        row = _version_row(s, ref.subject, ref.version, deleted=deleted)
        if row is None:
            raise InvalidSchema(
                f'Invalid schema: No schema reference found for subject "{ref.subject}" '
                f"and version {ref.version}"
            )
        resolved.append(Reference(ref.name, ref.subject, row.version))
        _collect(s, ref.name, row.schema_id, resources, 0)
    return tuple(resolved), resources


def resources_of(s: Session, references: Sequence[Reference]) -> dict[str, Any]:
    """Every schema a stored schema's references reach, by name (missing ones skipped)."""
    resources: dict[str, Any] = {}
    for ref in references:
        row = _version_row(s, ref.subject, ref.version, deleted=True)
        if row is not None:
            _collect(s, ref.name, row.schema_id, resources, 0)
    return resources


def _collect(s: Session, name: str, schema_id: int, into: dict[str, Any], depth: int) -> None:
    if name in into or depth > _MAX_DEPTH:
        return
    into[name] = json.loads(s.get_one(SchemaRow, schema_id).schema_text)
    for ref in references_of(s, schema_id):
        row = _version_row(s, ref.subject, ref.version, deleted=True)
        if row is not None:
            _collect(s, ref.name, row.schema_id, into, depth + 1)


def referrers(s: Session, subject: str, version: int) -> list[int]:
    """Ids of schemas naming ``subject`` version ``version`` that a live version still holds.

    A soft-deleted referrer no longer counts, as in Confluent: deleting it first is how a
    referenced version becomes deletable.
    """
    live_holder = exists().where(
        SubjectVersionRow.schema_id == SchemaReferenceRow.schema_id,
        SubjectVersionRow.deleted.is_(False),
    )
    q = (
        select(func.distinct(SchemaReferenceRow.schema_id))
        .where(SchemaReferenceRow.subject == subject, SchemaReferenceRow.version == version)
        .where(live_holder)
        .order_by(SchemaReferenceRow.schema_id)
    )
    return list(s.scalars(q))
